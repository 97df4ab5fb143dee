import { CancelledError } from '../../common/errors';
import type { CompletionParams, CompletionResult } from '../protocol';
import { buildFimPrompt } from './fimPrompt';
import type { LlamaContextSequence, Token } from './nodeLlamaCpp';

/**
 * Runs completions on one context sequence, one at a time, keeping the sequence aligned with the
 * last prompt so a keystroke evaluates only the tokens that changed.
 */
export class FimCompleter {
  private running: Promise<unknown> = Promise.resolve();
  private current: AbortController | undefined;

  constructor(private readonly sequence: LlamaContextSequence) {}

  /** A newer request supersedes the one in flight: it is aborted down to the token loop. */
  complete(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) controller.abort();
    const run = this.running.then(() => this.run(params, controller.signal));
    this.running = run.catch(() => undefined);
    return run.finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (this.current === controller) this.current = undefined;
    });
  }

  private async run(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    if (signal.aborted) throw new CancelledError();
    const start = performance.now();
    const sequence = this.sequence;
    const model = sequence.model;
    const budget = Math.max(1, sequence.contextSize - params.maxTokens - 1);
    const prompt = buildFimPrompt(model, {
      prefix: params.prefix,
      suffix: params.suffix,
      maxPrefixTokens: Math.min(params.maxPrefixTokens, Math.floor(budget * 0.75)),
      maxSuffixTokens: Math.min(params.maxSuffixTokens, Math.floor(budget * 0.25)),
    });

    // Keep the longest common prefix of the KV state; at least the last prompt token is
    // evaluated again, since its logits produce the first generated token.
    const common = Math.min(sequence.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
    if (sequence.nextTokenIndex > common) {
      await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
    }
    const toEvaluate = prompt.slice(common);

    const generated: Token[] = [];
    let firstTokenAt = 0;
    const iterator = sequence.evaluate(toEvaluate, { temperature: 0 });
    try {
      for await (const token of iterator) {
        if (!firstTokenAt) firstTokenAt = performance.now();
        if (signal.aborted) break;
        if (model.isEogToken(token)) break;
        generated.push(token);
        if (generated.length >= params.maxTokens) break;
      }
    } finally {
      await iterator.return();
    }
    if (signal.aborted) throw new CancelledError();
    const end = performance.now();
    return {
      text: model.detokenize(generated),
      stats: {
        reusedTokens: common,
        evaluatedTokens: toEvaluate.length,
        generatedTokens: generated.length,
        promptMs: Math.round((firstTokenAt || end) - start),
        generateMs: Math.round(end - (firstTokenAt || end)),
        totalMs: Math.round(end - start),
      },
    };
  }
}
