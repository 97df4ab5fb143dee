/**
 * Reciprocal rank fusion (Cormack et al. 2009): each list gives an item 1 / (k + rank); the sums
 * order the result. Ranks, not scores, so BM25's unbounded scores and cosine similarities need
 * no common scale; k = 60 is the paper's value, which keeps one list's top item from outweighing
 * agreement between lists. The lexical index fuses with a vector ranking through this; `scores`
 * receives each item's fused score.
 */
export function fuseRankings<T>(lists: readonly (readonly T[])[], k = 60, scores = new Map<T, number>()): T[] {
  for (const list of lists) list.forEach((item, rank) => scores.set(item, (scores.get(item) ?? 0) + 1 / (k + rank + 1)));
  return [...scores].sort((a, b) => b[1] - a[1]).map(([item]) => item);
}
