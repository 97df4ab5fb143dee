/**
 * Characters per token of code, for the places that turn token bounds into character bounds
 * without a tokenizer. BPE coder vocabularies average 3.5–4 characters a token; runs of
 * indentation reach about 8. Which figure is right depends on the side a bound must err on.
 */
export const charsPerToken = {
  /** Text cut to `tokens × fewest` characters stays within `tokens` (text sent to a server). */
  fewest: 3,
  /** For estimates shown to the user or used as rough capacity (the context ring). */
  average: 4,
  /** A window of `tokens × most` characters holds at least `tokens` (the editor's text window). */
  most: 8,
} as const;

/** About how many tokens `text` is, where no tokenizer is at hand. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / charsPerToken.average);
}
