/**
 * Teacher forcing through node-llama-cpp 3.21.1: the model's probability of each token of a known
 * continuation after a prompt.
 *
 * `sequence.evaluateWithMetadata(tokens, { probabilities: true })` evaluates `tokens` and yields
 * the distribution of the next token; whatever is passed to the generator's `next()` is the token
 * evaluated next instead of the sampled one. With temperature 0 the sampler chain is greedy only,
 * which selects without changing the logits, so the map is the softmax of the raw logits over the
 * whole vocabulary (node-llama-cpp llama/addon/AddonContext.cpp SampleToken). `yieldEogToken`:
 * otherwise the generator ends, without a distribution, wherever the model's first choice is an
 * end-of-generation token.
 */
import type { LlamaContextSequence, Token } from '../../src/runtime/worker/nodeLlamaCpp';

/** float32 probabilities underflow to 0 below this; a 0 counts as this much, so sums stay finite. */
export const PROBABILITY_FLOOR = 1e-45;

export interface ForcedStep {
  token: Token;
  /** natural log of the model's probability of `token` here */
  logProb: number;
  /** `token` is the model's most probable next token (what greedy decoding would pick) */
  top: boolean;
}

/**
 * Log-probabilities of `truth` token by token after `prompt`. The sequence keeps the longest
 * common token prefix with `prompt` (as the worker does) and holds `prompt` + `truth` (all but its
 * last token) afterwards.
 */
export async function truthLogProbs(sequence: LlamaContextSequence, prompt: readonly Token[], truth: readonly Token[]): Promise<ForcedStep[]> {
  if (prompt.length === 0) throw new Error('teacher forcing needs a prompt');
  if (truth.length === 0) return [];
  // The last prompt token is evaluated again: its logits are the first distribution.
  const reused = Math.min(sequence.compareContextTokens([...prompt]).firstDifferentIndex, prompt.length - 1);
  if (sequence.nextTokenIndex > reused) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
  const head = prompt.slice(reused, -1);
  if (head.length > 0) await sequence.evaluateWithoutGeneratingNewTokens([...head]);

  const steps: ForcedStep[] = [];
  const iterator = sequence.evaluateWithMetadata([prompt[prompt.length - 1]], { probabilities: true }, { temperature: 0, yieldEogToken: true });
  try {
    let result = await iterator.next();
    for (let i = 0; i < truth.length; i++) {
      if (result.done) throw new Error(`the generator ended after ${i} of ${truth.length} forced tokens`);
      const { token: greedy, probabilities } = result.value;
      const p = probabilities.get(truth[i]) ?? 0;
      steps.push({ token: truth[i], logProb: Math.log(Math.max(p, PROBABILITY_FLOOR)), top: greedy === truth[i] });
      if (i + 1 < truth.length) result = await iterator.next(truth[i]);
    }
  } finally {
    await iterator.return();
  }
  return steps;
}
