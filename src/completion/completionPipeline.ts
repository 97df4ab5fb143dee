/**
 * The completion request flow, free of `vscode` so the benchmark drives exactly this code:
 * cache and type-through first, then an adaptive debounce, then one model request (stale ones are
 * cancelled down to the model by the caller's signal), post-processing, and a speculative request
 * for what comes after the shown suggestion.
 */
import { delay } from '../common/cancellation';
import { Emitter } from '../common/disposable';
import { errorMessage, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import type { CompletionSettings } from '../config/completionSettings';
import type { CompletionParams, CompletionResult, CompletionStats } from '../runtime/protocol';
import { AdaptiveDebounce, endsWord } from './adaptiveDebounce';
import type { ContextRing } from './contextRing';
import { fixIndentation, postprocess, type PostprocessRule } from './postprocess';
import { SuggestionCache } from './suggestionCache';

/** What answers a completion request with raw text and stats: the worker's model or a team server (completionBackend.ts). */
export interface CompletionModel {
  complete(params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult>;
}

/** What the editor side knows at the cursor (already bounded windows). */
export interface CompletionInput {
  prefix: string;
  suffix: string;
  /** The cursor's line, left and right of the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** Lines below the cursor's line, nearest first. */
  linesBelow: readonly string[];
  filePath?: string;
  repoName?: string;
}

export type SuggestionSource = 'model' | 'cache' | 'typeThrough';

export interface Suggestion {
  text: string;
  /** The suggestion replaces the whitespace typed on the line (see fixIndentation). */
  replaceIndent: boolean;
  source: SuggestionSource;
  stats?: CompletionStats;
}

export interface RequestCounters {
  modelCalls: number;
  cacheHits: number;
  typeThroughHits: number;
  speculativeCalls: number;
  cancelled: number;
}

/** Auto-trigger is skipped with more than this much text right of the cursor. */
const maxLineSuffixForAuto = 8;

export class CompletionPipeline {
  private readonly cache = new SuggestionCache();
  private readonly debounce = new AdaptiveDebounce();
  private last: CompletionInput | undefined;
  private speculation: { controller: AbortController; prefix: string; suffix: string; done: Promise<void> } | undefined;
  readonly counters: RequestCounters = { modelCalls: 0, cacheHits: 0, typeThroughHits: 0, speculativeCalls: 0, cancelled: 0 };
  private readonly countersChanged = new Emitter<void>();
  /** A counter moved: the status bar shows them as they happen, not only when the runtime's state changes. */
  readonly onDidChangeCounters = this.countersChanged.event;

  constructor(
    private readonly runtime: CompletionModel,
    /** Read at each request, so a setting change applies to the next one. */
    private readonly settings: () => CompletionSettings,
    /** Sent while `maxExtraTokens` > 0. */
    private readonly ring: ContextRing | undefined,
    private readonly log: Log,
    private readonly now: () => number = () => performance.now(),
    /** Post-processing rules to skip: none in the extension; bench:quality turns each off to score it. */
    private readonly postprocessOff: ReadonlySet<PostprocessRule> = new Set(),
  ) {}

  /** Called on every keystroke-triggered request; `signal` aborts when the user types on. */
  async provide(input: CompletionInput, signal: AbortSignal, manual = false): Promise<Suggestion | undefined> {
    const started = this.now();
    this.debounce.keystroke(started);
    this.last = input;
    const settings = this.settings();
    const indentOnly = /^\s*$/.test(input.linePrefix) ? input.linePrefix : '';

    // The user accepted a suggestion whose successor is still being computed: wait for it.
    const pending = this.speculation;
    if (pending && pending.prefix === input.prefix && pending.suffix === input.suffix) {
      await Promise.race([pending.done, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
      if (signal.aborted) return undefined;
    }
    const cached = this.cache.get(input.prefix, input.suffix);
    if (cached) {
      this.count(cached.typedThrough > 0 ? 'typeThroughHits' : 'cacheHits');
      this.log.debug(`completion: ${this.since(started)} ms from ${cached.typedThrough > 0 ? 'the suggestion typed through' : 'cache'}, no model call`);
      return { text: cached.text, replaceIndent: false, source: cached.typedThrough > 0 ? 'typeThrough' : 'cache' };
    }
    if (!manual && input.lineSuffix.trim().length > maxLineSuffixForAuto) return undefined;

    const wait = this.debounce.delayMs({ minMs: settings.debounceMinMs, maxMs: settings.debounceMaxMs }, endsWord(input.linePrefix));
    if (!manual && !(await delay(wait, signal))) return undefined;
    // A real request outranks a guess about the future.
    this.speculation?.controller.abort();

    const params = this.params(input, settings, indentOnly);
    let result: CompletionResult;
    try {
      this.count('modelCalls');
      result = await this.runtime.complete(params, signal);
    } catch (e) {
      if (isCancelled(e)) {
        this.count('cancelled');
        this.log.debug(`completion: cancelled after ${this.since(started)} ms (typed on)`);
        return undefined;
      }
      this.log.debug(`completion: failed after ${this.since(started)} ms: ${errorMessage(e)}`);
      throw e;
    }
    this.debounce.modelLatency(result.stats.totalMs);
    const suggestion = this.finish(result.text, input, indentOnly, settings);
    this.log.debug(completionLogLine(result.stats, this.since(started), suggestion?.text));
    if (!suggestion) return undefined;
    this.cache.set(input.prefix, input.suffix, suggestion.text);
    if (settings.speculate && !suggestion.replaceIndent && !signal.aborted) this.speculate(input, suggestion.text, settings);
    return { ...suggestion, source: 'model', stats: result.stats };
  }

  /**
   * Evaluates a prompt with the current extra context (nothing generated), while idle: `input` is
   * where the cursor is now, else the last request's. The worker drops a warm-up while a request runs.
   */
  async warmUp(signal: AbortSignal, input: CompletionInput | undefined = this.last): Promise<void> {
    if (!input) return;
    const settings = this.settings();
    const indentOnly = /^\s*$/.test(input.linePrefix) ? input.linePrefix : '';
    await this.runtime.complete({ ...this.params(input, settings, indentOnly), maxTokens: 0 }, signal).catch((e: unknown) => {
      if (!isCancelled(e)) this.log.debug(`warm-up failed: ${errorMessage(e)}`);
    });
  }

  private since(started: number): number {
    return Math.round(this.now() - started);
  }

  private count(counter: keyof RequestCounters): void {
    this.counters[counter]++;
    this.countersChanged.fire();
  }

  clearCache(): void {
    this.cache.clear();
  }

  private params(input: CompletionInput, settings: CompletionSettings, indentOnly: string): CompletionParams {
    // On a whitespace-only line the model picks the indentation itself: complete from column 0.
    const prefix = indentOnly ? input.prefix.slice(0, input.prefix.length - indentOnly.length) : input.prefix;
    return {
      prefix,
      suffix: input.suffix,
      extra: this.ring && settings.maxExtraTokens > 0 ? [...this.ring.list()] : [],
      filePath: input.filePath,
      repoName: input.repoName,
      maxTokens: settings.maxTokens,
      maxPrefixTokens: settings.maxPrefixTokens,
      maxSuffixTokens: settings.maxSuffixTokens,
      maxExtraTokens: settings.maxExtraTokens,
      timeBudgetMs: settings.timeBudgetMs,
      promptBudgetMs: settings.promptBudgetMs,
      indent: indentOnly ? indentOnly.length : indentation(input.linePrefix),
      singleLine: input.lineSuffix.trim().length > 0,
    };
  }

  private finish(raw: string, input: CompletionInput, indentOnly: string, settings: CompletionSettings): Omit<Suggestion, 'source'> | undefined {
    const text = postprocess(raw, { linePrefix: indentOnly ? '' : input.linePrefix, lineSuffix: input.lineSuffix, linesBelow: input.linesBelow, maxLines: settings.maxLines }, this.postprocessOff);
    if (!text) return undefined;
    return indentOnly ? fixIndentation(text, indentOnly) : { text, replaceIndent: false };
  }

  /** Computes the suggestion that follows the shown one, so accepting it costs no wait. */
  private speculate(input: CompletionInput, shown: string, settings: CompletionSettings): void {
    const controller = new AbortController();
    const lines = shown.split('\n');
    const next: CompletionInput = {
      ...input,
      prefix: input.prefix + shown,
      linePrefix: lines.length > 1 ? lines[lines.length - 1] : input.linePrefix + shown,
    };
    this.count('speculativeCalls');
    const indentOnly = /^\s*$/.test(next.linePrefix) ? next.linePrefix : '';
    const done = this.runtime
      .complete(this.params(next, settings, indentOnly), controller.signal)
      .then((result) => {
        const suggestion = this.finish(result.text, next, indentOnly, settings);
        if (suggestion && !suggestion.replaceIndent) this.cache.set(next.prefix, next.suffix, suggestion.text);
      })
      .catch((e: unknown) => {
        if (!isCancelled(e)) this.log.debug(`speculative completion failed: ${errorMessage(e)}`);
      })
      .finally(() => {
        if (this.speculation?.controller === controller) this.speculation = undefined;
      });
    this.speculation = { controller, prefix: next.prefix, suffix: next.suffix, done };
  }
}

/**
 * The per-request line a user can paste into a report (debug level): the whole wait, the model's
 * share of it, tokens, why generation stopped, and what was shown.
 * "completion: 455 ms (model 412 ms: prompt 300, generation 112), tokens reused 813, evaluated 20, generated 14; stop: singleLine; shown 23 chars"
 */
export function completionLogLine(s: CompletionStats, ms: number, shown: string | undefined): string {
  const model = `model ${Math.round(s.totalMs)} ms: prompt ${Math.round(s.promptMs)}, generation ${Math.round(s.generateMs)}`;
  const what = shown ? `shown ${shown.length} chars` : 'nothing shown (post-processing left no text)';
  const threads = s.threads === undefined ? '' : ` on ${s.threads} ${s.threads === 1 ? 'thread' : 'threads'}`;
  return `completion: ${ms} ms (${model}), tokens reused ${s.reusedTokens}, evaluated ${s.evaluatedTokens}, generated ${s.generatedTokens}${threads}; stop: ${s.stop}; ${what}`;
}

function indentation(linePrefix: string): number {
  return linePrefix.length - linePrefix.trimStart().length;
}
