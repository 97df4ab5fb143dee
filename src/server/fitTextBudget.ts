/**
 * Token budgets applied to TEXT before it goes to a server, which tokenizes it itself. Counted
 * with the fewest characters a token has (charsPerToken.fewest), the prompt stays within what the
 * settings allow without a round trip to count tokens.
 */
import { charsPerToken } from '../common/charsPerToken';
import type { CompletionParams, ContextChunk } from '../runtime/protocol';

export interface FittedText {
  prefix: string;
  suffix: string;
  extra: ContextChunk[];
}

export function fitTextBudget(p: CompletionParams): FittedText {
  const prefixChars = Math.max(0, p.maxPrefixTokens) * charsPerToken.fewest;
  const suffixChars = Math.max(0, p.maxSuffixTokens) * charsPerToken.fewest;
  return {
    prefix: keepEnd(p.prefix, prefixChars),
    suffix: keepStart(p.suffix, suffixChars),
    // Absent means none, as in the worker (CompletionParams.maxExtraTokens).
    extra: keepNewest(p.extra ?? [], Math.max(0, p.maxExtraTokens ?? 0) * charsPerToken.fewest),
  };
}

/** The last `max` characters, starting at a line start when the cut falls inside a line. */
function keepEnd(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = text.slice(text.length - max);
  const nl = tail.indexOf('\n');
  return nl >= 0 && nl < tail.length - 1 ? tail.slice(nl + 1) : tail;
}

/** The first `max` characters, ending at a line end when the cut falls inside a line. */
function keepStart(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max);
  const nl = head.lastIndexOf('\n');
  return nl > 0 ? head.slice(0, nl + 1) : head;
}

/** Chunks come most stable (oldest) first: drop from the front until the rest fits. */
function keepNewest(chunks: readonly ContextChunk[], max: number): ContextChunk[] {
  let total = chunks.reduce((n, c) => n + c.path.length + c.text.length, 0);
  let start = 0;
  while (start < chunks.length && total > max) {
    total -= chunks[start].path.length + chunks[start].text.length;
    start++;
  }
  return chunks.slice(start);
}
