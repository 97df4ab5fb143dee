/**
 * OpenAI-compatible `/v1/completions` with a FIM prompt built as text (fim/fimText.ts). Such
 * servers know no indentation stop or time budget: the indentation stop is applied to the answer
 * here, the time budget is left to `maxTokens` and the request timeout.
 */
import { charsPerToken } from '../common/charsPerToken';
import type { CompletionParams, CompletionResult, CompletionStats } from '../runtime/protocol';
import { fimFamilyOfTemplate, fimTypedMiddle, type FimTemplate } from '../fim/fimFamilies';
import type { HoleStart } from '../fim/holeStart';
import { cutAtDedent } from '../fim/indentStop';
import { fimPromptText, fimStops } from '../fim/fimText';
import { fitTextBudget } from './fitTextBudget';

export interface OpenAiCompletionAnswer {
  choices?: { text?: string; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; prompt_tokens_details?: { cached_tokens?: number } };
  /** llama-server adds its own timings. */
  timings?: { cache_n?: number; prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number };
}

/**
 * `hole`: the backend's, kept across requests. As in the worker, the text typed since the hole
 * opened goes after the middle token where the family allows it, so a server that caches the
 * prompt's common start (llama-server, vLLM's prefix caching) evaluates what was typed on each
 * keystroke, not the whole suffix again. (llama-server's /infill cannot: its `prompt` field joins
 * the prefix, before the suffix.)
 */
export function openAiCompletionBody(p: CompletionParams, template: FimTemplate, model: string, hole?: HoleStart): Record<string, unknown> {
  const fitted = fitTextBudget(p);
  // Up to half the prefix budget, as the worker allows (fimCompleter.promptFor).
  const { prefix, middle } =
    hole && fimTypedMiddle(fimFamilyOfTemplate(template)) ? hole.split(fitted.prefix, Math.floor(Math.max(0, p.maxPrefixTokens) / 2) * charsPerToken.fewest) : { prefix: fitted.prefix, middle: '' };
  const prompt = fimPromptText(template, { ...fitted, prefix, middle, filePath: p.filePath, repoName: p.repoName });
  return {
    ...(model ? { model } : {}),
    prompt,
    max_tokens: p.maxTokens,
    temperature: 0,
    // Streamed so that an abandoned request stops the server at once (see infillRequest.ts).
    stream: true,
    stream_options: { include_usage: true },
    stop: [...fimStops(template), ...(p.singleLine ? ['\n'] : [])],
  };
}

/** Folds streamed chunks into one answer: all the text, the last finish reason, usage and timings. */
export function openAiCompletionCollector(): { add(data: string): void; answer(): OpenAiCompletionAnswer } {
  const parts: string[] = [];
  let finish: string | null | undefined;
  let usage: OpenAiCompletionAnswer['usage'];
  let timings: OpenAiCompletionAnswer['timings'];
  return {
    add(data) {
      const e = JSON.parse(data) as OpenAiCompletionAnswer;
      const choice = e.choices?.[0];
      if (choice?.text) parts.push(choice.text);
      if (choice?.finish_reason) finish = choice.finish_reason;
      usage = e.usage ?? usage;
      timings = e.timings ?? timings;
    },
    answer: () => ({ choices: [{ text: parts.join(''), finish_reason: finish }], usage, timings }),
  };
}

export function openAiCompletionResult(a: OpenAiCompletionAnswer, p: CompletionParams, totalMs: number): CompletionResult {
  const choice = a.choices?.[0];
  const raw = choice?.text ?? '';
  const cut = cutAtDedent(raw, p.indent ?? 0);
  const t = a.timings ?? {};
  const prompt = a.usage?.prompt_tokens ?? 0;
  const cached = t.cache_n ?? a.usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const stats: CompletionStats = {
    reusedTokens: cached,
    evaluatedTokens: t.prompt_n ?? Math.max(0, prompt - cached),
    generatedTokens: t.predicted_n ?? a.usage?.completion_tokens ?? 0,
    promptMs: Math.round(t.prompt_ms ?? 0),
    generateMs: Math.round(t.predicted_ms ?? 0),
    totalMs: Math.round(totalMs),
    stop: cut.length < raw.length ? 'indent' : choice?.finish_reason === 'length' ? 'maxTokens' : p.singleLine && choice?.finish_reason === 'stop' ? 'singleLine' : 'eog',
  };
  return { text: cut, stats };
}
