/**
 * llama-server's `/infill`: the request from our CompletionParams and the answer as our
 * CompletionResult. The server builds the FIM prompt in tokens from the model's own vocabulary
 * (extra chunks as repo-level files where the family has them), reuses its KV cache
 * (`cache_prompt`), and applies the same stops the worker does: `n_indent`, `t_max_predict_ms`.
 *
 * Streamed, although one answer is all we want: llama-server notices a closed connection on a
 * non-streamed request only after a second with no result for ANY request (server-queue.cpp,
 * recv_with_timeout restarts its wait on every result), so on a busy team server an abandoned
 * completion would run to its end. A stream fails its next write and stops at once.
 */
import type { CompletionParams, CompletionResult, CompletionStats } from '../runtime/protocol';
import { cutAtDedent } from '../fim/indentStop';
import { fitTextBudget } from './fitTextBudget';

export interface InfillAnswer {
  content?: string;
  /** True on the last streamed event, which carries the stop reason and timings. */
  stop?: boolean;
  stop_type?: 'none' | 'eos' | 'limit' | 'word';
  tokens_predicted?: number;
  tokens_evaluated?: number;
  tokens_cached?: number;
  timings?: { cache_n?: number; prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };
}

export function infillBody(p: CompletionParams): Record<string, unknown> {
  const fitted = fitTextBudget(p);
  return {
    input_prefix: fitted.prefix,
    input_suffix: fitted.suffix,
    input_extra: fitted.extra.map((c) => ({ filename: c.path, text: c.text })),
    prompt: '',
    n_predict: p.maxTokens,
    cache_prompt: true,
    t_max_predict_ms: p.timeBudgetMs ?? 0,
    n_indent: p.indent ?? 0,
    // Greedy, as the embedded worker: the same context gives the same suggestion.
    temperature: 0,
    stop: p.singleLine ? ['\n'] : [],
    stream: true,
  };
}

/** Folds the streamed events into one answer: every event's text, the last event's stats. */
export function infillCollector(): { add(data: string): void; answer(): InfillAnswer } {
  const parts: string[] = [];
  let last: InfillAnswer = {};
  return {
    add(data) {
      const e = JSON.parse(data) as InfillAnswer;
      if (e.content) parts.push(e.content);
      if (e.stop) last = e;
    },
    answer: () => ({ ...last, content: parts.join('') }),
  };
}

export function infillResult(a: InfillAnswer, p: CompletionParams, totalMs: number): CompletionResult {
  const t = a.timings ?? {};
  const generated = t.predicted_n ?? a.tokens_predicted ?? 0;
  const stats: CompletionStats = {
    // timings.cache_n is the prompt's reused part; tokens_cached also counts generated tokens.
    reusedTokens: t.cache_n ?? 0,
    evaluatedTokens: t.prompt_n ?? a.tokens_evaluated ?? 0,
    generatedTokens: p.maxTokens === 0 ? 0 : generated,
    promptMs: Math.round(t.prompt_ms ?? 0),
    generateMs: Math.round(t.predicted_ms ?? 0),
    totalMs: Math.round(totalMs),
    stop: stopOf(a, p, generated),
  };
  // n_predict 0 still samples one token on llama-server: a warm-up shows nothing. Streamed
  // tokens are sent before the server's n_indent check, so the dedented line is cut here.
  return { text: p.maxTokens === 0 ? '' : cutAtDedent(a.content ?? '', p.indent ?? 0), stats };
}

/** llama-server reports every limit as "limit": tell them apart by what was reached. */
function stopOf(a: InfillAnswer, p: CompletionParams, generated: number): CompletionStats['stop'] {
  if (p.maxTokens === 0) return 'warmup';
  switch (a.stop_type) {
    case 'word':
      return p.singleLine ? 'singleLine' : 'stopToken';
    case 'limit':
      if (generated >= p.maxTokens) return 'maxTokens';
      if (p.timeBudgetMs && (a.timings?.predicted_ms ?? 0) >= p.timeBudgetMs) return 'timeBudget';
      return 'indent';
    default:
      return 'eog';
  }
}
