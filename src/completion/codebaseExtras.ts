/**
 * Which pieces of other files go to the completion prompt besides the ring's own: definitions of
 * identifiers near the cursor and the index chunks most like the code around it, deduplicated,
 * never what the prompt holds already, within a token bound. Free of `vscode`.
 */
import { estimateTokens } from '../common/charsPerToken';
import type { LineSource } from './completionWindow';
import { maxChunkChars, type RingChunk } from './contextRing';

/** A range of a file: 1-based, inclusive lines. `file` identifies it (an absolute path). */
export interface ChunkRef {
  file: string;
  startLine: number;
  endLine: number;
}

export interface ExtraCandidate extends ChunkRef {
  /** The workspace-relative path the model sees. */
  path: string;
  text: string;
  kind: 'definition' | 'similar';
}

/** The lines of the completed file that the prompt's own prefix and suffix hold. */
export type PromptWindow = ChunkRef;

const overlaps = (a: ChunkRef, b: ChunkRef) => a.file === b.file && a.startLine <= b.endLine && b.startLine <= a.endLine;

/**
 * The extras to offer, in the order the ring should take them: least relevant first, so the most
 * relevant end up nearest the prefix and are the last the prompt's extra budget drops.
 * `candidates` come most relevant first (definitions, then search hits best first); a candidate
 * inside the prompt's window, overlapping a more relevant one, or already held by a ring chunk is
 * left out; past `maxTokens` (estimated) the rest are.
 */
export function chooseCodebaseExtras(candidates: readonly ExtraCandidate[], window: PromptWindow | undefined, present: readonly RingChunk[], maxTokens: number): ExtraCandidate[] {
  const chosen: ExtraCandidate[] = [];
  let tokens = 0;
  for (const c of candidates) {
    const text = c.text.length > maxChunkChars ? c.text.slice(0, maxChunkChars) : c.text;
    if (!text.trim()) continue;
    if (window && overlaps(c, window)) continue;
    if (chosen.some((o) => overlaps(o, c))) continue;
    const body = text.trim();
    if (present.some((p) => p.path === c.path && p.text.includes(body))) continue;
    const cost = estimateTokens(text);
    if (tokens + cost > maxTokens) continue;
    tokens += cost;
    chosen.push(text === c.text ? c : { ...c, text });
  }
  return chosen.reverse();
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
/** A line that closes the block above it (`}`, `});`, `end`) belongs to that block. */
const closer = /^\s*(?:[)\]}]+[;,)]*|end)\s*$/;

/**
 * The last line (0-based) of the declaration starting at `start`: where a definition provider
 * points only at a name, the block under it is the definition. The block ends before the first
 * non-blank line back at the start's indentation (with it, when that line only closes brackets),
 * after at most `maxLines` lines.
 */
export function blockEnd(doc: LineSource, start: number, maxLines: number): number {
  const last = Math.min(doc.lineCount - 1, start + maxLines - 1);
  const base = indentOf(doc.lineAt(start));
  let end = start;
  let deeper = false;
  for (let i = start + 1; i <= last; i++) {
    const text = doc.lineAt(i);
    if (!text.trim()) continue;
    if (indentOf(text) > base) {
      deeper = true;
      end = i;
      continue;
    }
    if (closer.test(text)) return i;
    // A declaration over several lines at the same indentation (decorators, a wrapped signature) goes on.
    if (!deeper && /[,(\[{=]\s*$/.test(doc.lineAt(end))) {
      end = i;
      continue;
    }
    return end;
  }
  return end;
}
