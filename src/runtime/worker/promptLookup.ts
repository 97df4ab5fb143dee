/**
 * Prompt-lookup drafting: code completions often repeat text already in the prompt (a name, a
 * call, a closing line), so the tokens that followed the last generated ones where they occur in
 * the prompt are a cheap guess at what comes next, which the model verifies in one batch.
 *
 * Its own, not node-llama-cpp 3.21.1's InputLookupTokenPredictor: that library's speculative loop
 * confirms at most the first drafted token of a batch (its `validatedTokens` list is never filled,
 * so every later draft counts as refuted and is erased), which made hits slower than no drafts.
 */

/** Tokens of the tail that must match in the prompt: a single token matches almost anywhere. */
const MATCH = 2;
/** Drafted tokens per step: a wrong draft widens a decode step for nothing. */
export const MAX_DRAFT = 6;

export class PromptLookup<Token extends number> {
  /** Where each MATCH-gram of the prompt last occurs with a token after it. */
  private readonly last = new Map<string, number>();

  constructor(private readonly prompt: readonly Token[]) {
    for (let i = 0; i + MATCH < prompt.length; i++) this.last.set(key(prompt, i), i);
  }

  /** The tokens that followed the last MATCH tokens of `history` (the prompt, then what was generated) in the prompt. */
  draft(history: readonly Token[], max = MAX_DRAFT): Token[] {
    if (history.length < MATCH || max <= 0) return [];
    const at = this.last.get(key(history, history.length - MATCH));
    return at === undefined ? [] : this.prompt.slice(at + MATCH, at + MATCH + max);
  }
}

function key(tokens: readonly number[], start: number): string {
  return tokens.slice(start, start + MATCH).join(',');
}
