/**
 * The oracle: a model that knows what the user types next. At each keystroke it is pointed at the
 * world (the document around the cursor and the user's next text); any request is answered with
 * the world's text from the request's cursor on, the way a model runs on, and each side's
 * generation-time stops then cut it token by token:
 *
 * - Sovereign: the worker's loop (src/runtime/worker/fimCompleter.ts `generate`) replayed over the
 *   oracle's tokens with the same pure `checkStop` (single line, indentation, time budget) and the
 *   token limit; the time a token takes is simulated (`msPerToken`).
 * - llama.vscode: llama-server's /infill stops (n_predict, n_indent, t_max_predict_ms), written from
 *   ggml-org/llama.cpp tools/server/server.cpp `process_token` (read, not copied): after the first
 *   line break, each token checks the line that began after the last line break it saw: once that
 *   line has text and is indented less than n_indent, generation ends and the text is cut after
 *   the line's indentation; a token holding a line break ends generation once t_max_predict_ms of
 *   generation have passed (the text is kept, break included).
 */
import type { CompletionModel } from '../../src/completion/completionPipeline';
import type { CompletionParams, CompletionResult, CompletionStats } from '../../src/runtime/protocol';
import { checkStop } from '../../src/runtime/worker/generationStops';
import type { OracleTokenizer } from './tokenizer';

/**
 * What the oracle writes after the cursor:
 * - exact: the user's next text, then end of generation (a perfect FIM model);
 * - runOn: the next text, then the file as it goes on (a duplicate of the text after the cursor),
 *   up to the token limit: a perfect model that does not know where the middle ends;
 * - wrongTail: the next text, then wrong lines (lines from higher up in the file);
 * - whitespace: only whitespace (the next text's leading whitespace, or a line break and the
 *   line's indentation), then end of generation: nothing should be shown.
 */
export type OracleVariant = 'exact' | 'runOn' | 'wrongTail' | 'whitespace';
export const oracleVariants: readonly OracleVariant[] = ['runOn', 'exact', 'wrongTail', 'whitespace'];

export interface OracleWorld {
  /** the document before and after the cursor */
  before: string;
  after: string;
  /** what the user types next at the cursor */
  truth: string;
}

/** Characters of a continuation worth tokenizing: more than any token limit here reaches. */
const maxContinuationChars = 3000;

/** The oracle's text from the world's cursor on, and whether generation ends after it. */
export function oracleFuture(world: OracleWorld, variant: OracleVariant): { text: string; eog: boolean } {
  const { before, truth, after } = world;
  switch (variant) {
    case 'exact':
      return { text: truth, eog: true };
    case 'runOn':
      return { text: truth + after.slice(0, maxContinuationChars), eog: after.length <= maxContinuationChars };
    case 'wrongTail': {
      const lines = before.split('\n');
      const from = Math.max(0, lines.length - 41);
      const wrong = lines.slice(from, from + 30).join('\n');
      return { text: `${truth}\n${wrong}`, eog: false };
    }
    case 'whitespace': {
      const lead = /^\s*/.exec(truth)![0];
      const line = before.slice(before.lastIndexOf('\n') + 1);
      return { text: lead || `\n${/^[ \t]*/.exec(line)![0]}`, eog: true };
    }
  }
}

/** The continuation of `world` for a request whose prompt's text before the cursor is `prefix`. */
export function continuationAt(world: OracleWorld, variant: OracleVariant, prefix: string): { text: string; eog: boolean } | undefined {
  const future = oracleFuture(world, variant);
  // Only the end of the text before the cursor can hold the request's prompt (searching the whole
  // document copies it over and over: the replay's document is a rope of many inserts).
  const all = world.before.slice(Math.max(0, world.before.length - prefix.length - 1024)) + future.text;
  const cursor = all.length - future.text.length;
  // The request's cursor: at the world's cursor, a little before it (a whitespace-only line is
  // completed from its start), or after it (speculation past a shown suggestion).
  const last = prefix[prefix.length - 1];
  for (let end = Math.max(prefix.length, cursor - 512); end <= all.length; end++) {
    if (prefix.length > 0 && all[end - 1] !== last) continue;
    if (all.startsWith(prefix, end - prefix.length)) {
      return { text: all.slice(end, end + maxContinuationChars), eog: future.eog && all.length - end <= maxContinuationChars };
    }
  }
  return undefined;
}

/** Which generation-time stops are off (the rule table turns them off one at a time). */
export interface StopSwitches {
  singleLine?: boolean;
  indent?: boolean;
}

/** The worker's token loop (fimCompleter.ts) over the oracle's tokens. */
export function workerGeneration(
  continuation: { text: string; eog: boolean },
  params: CompletionParams,
  tokenizer: OracleTokenizer,
  msPerToken: number,
  off: StopSwitches = {},
): { text: string; stop: CompletionStats['stop']; generated: number } {
  const rules = { singleLine: off.singleLine ? false : (params.singleLine ?? false), indent: off.indent ? 0 : (params.indent ?? 0), timeBudgetMs: params.timeBudgetMs ?? 0 };
  const ends = tokenizer.boundaries(continuation.text);
  for (let i = 0; i < ends.length; i++) {
    const text = continuation.text.slice(0, ends[i]);
    // The worker measures from the first generated token.
    const decision = checkStop(text, rules, i * msPerToken, i > 0 ? ends[i - 1] : 0);
    if (decision) return { text: decision.text, stop: decision.reason, generated: i + 1 };
    if (i + 1 >= params.maxTokens) return { text, stop: 'maxTokens', generated: i + 1 };
  }
  return { text: continuation.text, stop: continuation.eog ? 'eog' : 'maxTokens', generated: ends.length };
}

/** llama-server's /infill generation stops over the oracle's tokens (see the header). */
export function serverGeneration(
  continuation: { text: string; eog: boolean },
  req: { n_predict: number; n_indent: number; t_max_predict_ms: number },
  tokenizer: OracleTokenizer,
  msPerToken: number,
): { text: string; stopType: string; generated: number } {
  const ends = tokenizer.boundaries(continuation.text);
  let generated = '';
  let hasNewLine = false;
  let lastNlPos = 0;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const piece = continuation.text.slice(start, ends[i]);
    start = ends[i];
    generated += piece;
    if (hasNewLine && req.n_indent > 0) {
      if (lastNlPos > 0) {
        let pos = lastNlPos;
        let n = 0;
        while (pos < generated.length && (generated[pos] === ' ' || generated[pos] === '\t')) {
          n++;
          pos++;
        }
        if (pos < generated.length && n < req.n_indent) return { text: generated.slice(0, pos), stopType: 'limit', generated: i + 1 };
      }
      const nl = generated.indexOf('\n', lastNlPos);
      if (nl >= 0) lastNlPos = nl + 1;
    }
    if (piece.includes('\n')) {
      hasNewLine = true;
      // "we stop after a certain time limit, but only upon another new line"
      if (req.t_max_predict_ms > 0 && (i + 1) * msPerToken > req.t_max_predict_ms) return { text: generated, stopType: 'limit', generated: i + 1 };
    }
    if (i + 1 >= req.n_predict) return { text: generated, stopType: 'limit', generated: i + 1 };
  }
  return { text: generated, stopType: continuation.eog ? 'eos' : 'limit', generated: ends.length };
}

/** The counters a run reports: a request the oracle could not place is a harness bug. */
export interface OracleCounters {
  requests: number;
  unplaced: number;
}

/** Sovereign's side: the oracle as the pipeline's `CompletionModel`. */
export class OracleModel implements CompletionModel {
  world: OracleWorld = { before: '', after: '', truth: '' };
  readonly counters: OracleCounters = { requests: 0, unplaced: 0 };

  constructor(
    private readonly variant: OracleVariant,
    private readonly tokenizer: OracleTokenizer,
    private readonly msPerToken: number,
    private readonly off: StopSwitches = {},
  ) {}

  async complete(params: CompletionParams): Promise<CompletionResult> {
    const stats = (stop: CompletionStats['stop'], generated: number): CompletionStats => ({
      reusedTokens: 0, evaluatedTokens: 0, generatedTokens: generated, promptMs: 0, generateMs: generated * this.msPerToken, totalMs: generated * this.msPerToken, stop,
    });
    if (params.maxTokens <= 0) return { text: '', stats: stats('warmup', 0) };
    this.counters.requests++;
    const continuation = continuationAt(this.world, this.variant, params.prefix);
    if (!continuation) {
      this.counters.unplaced++;
      return { text: '', stats: stats('eog', 0) };
    }
    const g = workerGeneration(continuation, params, this.tokenizer, this.msPerToken, this.off);
    return { text: g.text, stats: stats(g.stop, g.generated) };
  }
}

/** The peer's side: llama-server's /infill answered by the oracle (a transport for LlamaVscodeDriver). */
export class OracleInfillServer {
  world: OracleWorld = { before: '', after: '', truth: '' };
  readonly counters: OracleCounters = { requests: 0, unplaced: 0 };

  constructor(
    private readonly variant: OracleVariant,
    private readonly tokenizer: OracleTokenizer,
    private readonly msPerToken: number,
  ) {}

  infill = async (payload: Record<string, unknown>): Promise<{ status: number; body: string }> => {
    const n_predict = Number(payload.n_predict ?? -1);
    if (n_predict === 0) return { status: 200, body: JSON.stringify({ content: '', timings: {} }) };
    this.counters.requests++;
    const prefix = String(payload.input_prefix ?? '') + String(payload.prompt ?? '');
    const continuation = continuationAt(this.world, this.variant, prefix);
    if (!continuation) {
      this.counters.unplaced++;
      return { status: 200, body: JSON.stringify({ content: '', stop_type: 'eos', timings: {} }) };
    }
    const g = serverGeneration(
      continuation,
      { n_predict: n_predict < 0 ? 1e9 : n_predict, n_indent: Number(payload.n_indent ?? 0), t_max_predict_ms: Number(payload.t_max_predict_ms ?? 0) },
      this.tokenizer,
      this.msPerToken,
    );
    return { status: 200, body: JSON.stringify({ content: g.text, stop_type: g.stopType, tokens_predicted: g.generated, timings: { predicted_n: g.generated, predicted_ms: g.generated * this.msPerToken, prompt_n: 0, prompt_ms: 0, cache_n: 0 } }) };
  };
}
