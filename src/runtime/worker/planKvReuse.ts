/**
 * KV reuse across cursor jumps and window shifts (what llama.cpp's server does with
 * `--cache-reuse`). After a jump or a window shift the new prompt shares long runs of tokens with
 * the cached one, but at other positions: the extra chunks lost their oldest entry, the prefix
 * window lost its top lines. Erasing the cached tokens between those runs shifts the runs down
 * into their new positions (node-llama-cpp's `eraseContextTokenRanges` moves the cells after an
 * erased range), so they are not evaluated again.
 *
 * Runs can only move down: a sequence is evaluated at its end, so a token the new prompt inserts
 * before a cached run ends the reuse there. A reused run's KV state was computed after text that
 * is now gone; llama-server accepts that approximation and so do we, only for runs long enough
 * to be worth it (a shorter run costs little to evaluate again).
 */

/**
 * The shortest cached run worth moving: one prompt evaluation step (fimCompleter.ts). A shorter
 * run costs little to evaluate again, and each moved run carries the approximation above.
 */
export const CACHE_REUSE_MIN_RUN = 64;

/** How many tokens the cache and the prompt share from their start. */
export function commonPrefix(cached: ArrayLike<number>, prompt: ArrayLike<number>): number {
  let common = 0;
  while (common < cached.length && common < prompt.length && cached[common] === prompt[common]) common++;
  return common;
}

/** Cached positions [start, end) to erase. */
export interface TokenRange {
  start: number;
  end: number;
}

export interface KvReusePlan {
  /** Ranges of the cache to erase, ascending; empty when nothing beyond the common prefix is reused. */
  erase: TokenRange[];
  /** The prompt tokens the cache will hold after the erasure (a prefix of the prompt). */
  kept: number;
}

/**
 * Which cached tokens to erase so the cache becomes the longest prompt prefix that is built of
 * the common prefix plus runs of at least `minRun` cached tokens in their cached order. Greedy, as
 * llama-server's: at each cached position, a run that matches the prompt where the kept part ends
 * is kept whole, else that cached token is dropped. Linear in the cache's length for
 * non-matching text; a run is compared once.
 */
export function planKvReuse(cached: ArrayLike<number>, prompt: ArrayLike<number>, minRun: number): KvReusePlan {
  const common = commonPrefix(cached, prompt);
  // Nothing to shift into a prefix of nothing: erasing from position 0 makes node-llama-cpp drop
  // and refill the whole sequence.
  if (common === 0) return { erase: [], kept: 0 };
  const erase: TokenRange[] = [];
  let c = common;
  let p = common;
  let dropFrom: number | undefined;
  while (c < cached.length && p < prompt.length) {
    let run = 0;
    while (c + run < cached.length && p + run < prompt.length && cached[c + run] === prompt[p + run]) run++;
    if (run >= minRun) {
      if (dropFrom !== undefined) erase.push({ start: dropFrom, end: c });
      dropFrom = undefined;
      c += run;
      p += run;
    } else {
      dropFrom ??= c;
      c++;
    }
  }
  if (p === common) return { erase: [], kept: common };
  if (c < cached.length) erase.push({ start: dropFrom ?? c, end: cached.length });
  else if (dropFrom !== undefined) erase.push({ start: dropFrom, end: cached.length });
  return { erase, kept: p };
}
