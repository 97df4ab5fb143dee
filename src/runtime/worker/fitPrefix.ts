import type { Token } from './nodeLlamaCpp';

/** Lines dropped together from the start of a prefix that is over its token budget. */
export const PREFIX_LINE_BLOCK = 16;

/** How far a block's own token count may be from its share of the whole text's (dummy space, merges at the seam). */
const SEAM_TOKENS = 2;

export interface FittedPrefix {
  /** Offset in the prefix where the kept text starts. */
  start: number;
  tokens: readonly Token[];
}

/**
 * The prefix cut to `maxTokens`, from its start, at the start of a block of PREFIX_LINE_BLOCK
 * lines (blocks counted from the start of the prefix the caller passed).
 *
 * Why blocks and not "the last maxTokens tokens": the KV cache is reused only up to the first
 * token that differs from the previous prompt. A token-exact cut moves the start of the prefix
 * with every keystroke once the prefix is over budget, so every keystroke would evaluate the
 * whole prefix again. A cut that only jumps PREFIX_LINE_BLOCK lines at a time stays where it
 * is while the user types (only the end of the prompt changes) and, when it jumps, frees room
 * for many keystrokes before the next jump.
 *
 * Each block is tokenized alone to estimate where the cut lands (`tokenize` is expected to
 * cache: all blocks but the last are the same on every keystroke); only candidate tails are
 * tokenized whole, and the smallest block index whose tail fits wins.
 *
 * Only when the last block alone is over budget (very long lines or a tiny budget) does it drop
 * single lines, and then tokens from the start of the current line; the budget always holds.
 */
export function fitPrefix(prefix: string, maxTokens: number, tokenize: (text: string) => readonly Token[]): FittedPrefix {
  const max = Math.max(0, Math.floor(maxTokens));
  if (max === 0 || prefix === '') return { start: prefix.length, tokens: [] };
  const lines = lineStarts(prefix);
  const blocks: number[] = [];
  for (let i = 0; i < lines.length; i += PREFIX_LINE_BLOCK) blocks.push(lines[i]);
  const tailAt = (start: number) => tokenize(prefix.slice(start));

  const counts = blocks.map((s, i) => tokenize(prefix.slice(s, blocks[i + 1] ?? prefix.length)).length);
  const after = counts.slice(); // after[k]: estimated tokens from block k to the end
  for (let i = after.length - 2; i >= 0; i--) after[i] += after[i + 1];
  let k = 0;
  while (k < blocks.length && after[k] > max + SEAM_TOKENS * (blocks.length - k)) k++;
  for (; k < blocks.length; k++) {
    if (after[k] > max + SEAM_TOKENS * (blocks.length - k)) continue;
    const tokens = tailAt(blocks[k]);
    if (tokens.length <= max) return { start: blocks[k], tokens };
  }

  const lastBlock = blocks[blocks.length - 1];
  for (const start of lines) {
    if (start <= lastBlock) continue;
    const tokens = tailAt(start);
    if (tokens.length <= max) return { start, tokens };
  }
  const start = lines[lines.length - 1];
  const tokens = tailAt(start);
  return { start, tokens: tokens.slice(tokens.length - max) };
}

/** Offsets where each line starts (a prefix ending in "\n" has an empty last line). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
