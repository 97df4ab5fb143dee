/**
 * The chunks an @workspace question sends: the definitions the symbol provider found first (the
 * question names them), then the index's best matches, without sending the same lines twice.
 */

export interface ChunkRef {
  /** As the index holds it (a file-system path). */
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

/** `first` then `rest`, each chunk once: one overlapping a chunk already taken from the same file is skipped. */
export function mergeChunks<T extends ChunkRef>(first: readonly T[], rest: readonly T[], limit: number): T[] {
  const out: T[] = [];
  for (const c of [...first, ...rest]) {
    if (out.length >= limit) break;
    if (!out.some((o) => o.path === c.path && o.startLine <= c.endLine && c.startLine <= o.endLine)) out.push(c);
  }
  return out;
}

/** The chunk of `hits` (from the same file) that holds `line`, the smallest when several do. */
export function chunkAt<T extends ChunkRef>(hits: readonly T[], path: string, line: number): T | undefined {
  let best: T | undefined;
  for (const h of hits) {
    if (h.path !== path || line < h.startLine || line > h.endLine) continue;
    if (!best || h.endLine - h.startLine < best.endLine - best.startLine) best = h;
  }
  return best;
}
