/**
 * One look-up of relevant code from other files for the cursor: the index's chunks most like the
 * code around it, and the definitions of the identifiers used near it, both bounded by a time
 * budget (what is not back in time is dropped; the next look-up asks again). Free of `vscode`:
 * the sources (codebaseFeeder.ts in the extension, the benchmark) answer the questions.
 */
import { blockEnd, chooseCodebaseExtras, type ChunkRef, type ExtraCandidate, type PromptWindow } from './codebaseExtras';
import { identifiersNear, queryOf, type IdentifierAt } from './codebaseQuery';
import type { LineSource } from './completionWindow';
import type { RingChunk } from './contextRing';
import { realFeedTimers, type FeedTimers } from './contextFeedScheduler';

export interface CodebaseSources {
  /** The index's chunks for `query`, best first (empty while the index is off). */
  search(query: string, limit: number): Promise<ChunkRef[]>;
  /** Where the identifier at its place in `file` is defined: a declaration's lines, or only its first line. */
  definitions(file: string, at: IdentifierAt, signal: AbortSignal): Promise<ChunkRef[]>;
  /** `file`'s lines and the path the model sees; undefined where the content policy refuses it or it is gone. */
  read(file: string, signal: AbortSignal): Promise<{ path: string; doc: LineSource } | undefined>;
}

export interface CodebaseLimits {
  /** Lines each side of the cursor whose identifiers make the query. */
  radius: number;
  /** Identifiers in the query. */
  maxNames: number;
  /** Identifiers (nearest first) whose definition is asked for. */
  maxDefinitions: number;
  /** Index chunks considered. */
  searchHits: number;
  /** Estimated tokens one look-up adds: the ring keeps room for what the user opened and edited. */
  maxTokens: number;
  /** Longest definition sent, in lines. */
  definitionLines: number;
  /** Look-ups not back this long after the start are abandoned. */
  budgetMs: number;
}

/** Half the ring's bound (contextRing.ts), so recent edits are not all pushed out by one look-up. */
export const defaultCodebaseLimits: CodebaseLimits = { radius: 8, maxNames: 24, maxDefinitions: 6, searchHits: 6, maxTokens: 1024, definitionLines: 40, budgetMs: 1500 };

/** The cursor as the look-up sees it. */
export interface CodebaseCursor {
  file: string;
  doc: LineSource;
  /** 0-based. */
  line: number;
  /** The lines the prompt's own prefix and suffix hold (left out of the extras). */
  window: PromptWindow | undefined;
}

/** The identifiers the look-up at `cursor` asks about (the feeder skips a look-up whose question did not change). */
export function codebaseQuestion(cursor: CodebaseCursor, limits: CodebaseLimits): IdentifierAt[] {
  return identifiersNear(cursor.doc, cursor.line, limits.radius, limits.maxNames);
}

/**
 * The extras for `cursor`, in the order the ring should take them (chooseCodebaseExtras).
 * `present` is what the ring holds, read when the answers are in.
 */
export async function lookUpCodebase(
  cursor: CodebaseCursor,
  names: readonly IdentifierAt[],
  present: () => readonly RingChunk[],
  sources: CodebaseSources,
  limits: CodebaseLimits,
  signal: AbortSignal,
  timers: FeedTimers = realFeedTimers,
): Promise<ExtraCandidate[]> {
  if (names.length === 0) return [];
  const budget = new AbortController();
  const stop = () => budget.abort();
  signal.addEventListener('abort', stop, { once: true });
  const timer = timers.setTimeout(stop, limits.budgetMs);
  const timedOut = new Promise<undefined>((resolve) => budget.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  // Each answer counts only if it is back within the budget; a failed one counts as none.
  const inTime = <T>(work: () => Promise<T>): Promise<T | undefined> =>
    budget.signal.aborted ? Promise.resolve(undefined) : Promise.race([work().catch(() => undefined), timedOut]);
  try {
    const [definitions, similar] = await Promise.all([
      Promise.all(names.slice(0, limits.maxDefinitions).map((n) => inTime(() => sources.definitions(cursor.file, n, budget.signal)))),
      inTime(() => sources.search(queryOf(names), limits.searchHits)),
    ]);
    const refs: { ref: ChunkRef; kind: ExtraCandidate['kind'] }[] = [
      ...definitions.flatMap((d) => d ?? []).map((ref) => ({ ref, kind: 'definition' as const })),
      ...(similar ?? []).map((ref) => ({ ref, kind: 'similar' as const })),
    ];
    const files = new Map<string, Promise<{ path: string; doc: LineSource } | undefined>>();
    const candidates: ExtraCandidate[] = [];
    for (const { ref, kind } of refs) {
      if (cursor.window && ref.file === cursor.window.file && ref.startLine <= cursor.window.endLine && cursor.window.startLine <= ref.endLine) continue;
      // Code like the cursor's in its own file repeats what the window holds (a long file of
      // similar functions would fill the ring with itself); a definition there is precise.
      if (kind === 'similar' && ref.file === cursor.file) continue;
      // Reads of local files come after the budget's look-ups: they are not cut short by it.
      if (!files.has(ref.file)) files.set(ref.file, sources.read(ref.file, signal).catch(() => undefined));
      const source = await files.get(ref.file);
      if (!source) continue;
      const candidate = cut(ref, kind, source, limits.definitionLines);
      if (candidate) candidates.push(candidate);
    }
    return chooseCodebaseExtras(candidates, cursor.window, present(), limits.maxTokens);
  } finally {
    timers.clearTimeout(timer);
    signal.removeEventListener('abort', stop);
  }
}

/** The text of `ref` in its file: a definition that names one line is the block under it. */
function cut(ref: ChunkRef, kind: ExtraCandidate['kind'], source: { path: string; doc: LineSource }, definitionLines: number): ExtraCandidate | undefined {
  const { doc } = source;
  const start = ref.startLine - 1;
  if (start < 0 || start >= doc.lineCount) return undefined;
  let end = Math.min(doc.lineCount, ref.endLine) - 1;
  if (kind === 'definition') end = end > start ? Math.min(end, start + definitionLines - 1) : blockEnd(doc, start, definitionLines);
  const lines: string[] = [];
  for (let i = start; i <= end; i++) lines.push(doc.lineAt(i));
  return { file: ref.file, path: source.path, startLine: start + 1, endLine: end + 1, text: lines.join('\n'), kind };
}
