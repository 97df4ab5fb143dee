import { basename } from 'node:path';
import type { LlamaVscodeDriver } from '../llamaVscodeDriver';
import type { CompletionCounts } from '../../src/runtime/protocol';
import type { SovereignDriver } from '../sovereignDriver';
import { mean, p50, p95, round, sum } from '../stats';
import type { RunResult } from './harness';
import { msPerGeneratedToken, type Rates } from './rates';

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

export interface SideFigures {
  [key: string]: unknown;
}

export function waitFigures(run: RunResult, rates: Rates, tokenCount: Map<string, number>, kind: 'wait' | 'accept' = 'wait'): SideFigures {
  const waits = run.waits.filter((w) => w.kind === kind);
  const shown = waits.filter((w) => w.shownMs !== undefined);
  const times = shown.map((w) => w.shownMs!);
  const model = shown.filter((w) => w.outcome?.source === 'model' && w.outcome.breakdown);
  const floors: number[] = [];
  const floorMs: number[] = [];
  const depth0Floors: number[] = [];
  const localFloors: number[] = [];
  for (const w of model) {
    const typedTokens = sum(w.typed.map((t) => tokenCount.get(t) ?? 0));
    const b = w.outcome!.breakdown!;
    // Generated tokens at the speed llama-bench generates with this request's prompt in the cache.
    const depth = b.promptTokens + b.generatedTokens / 2;
    const floor = (typedTokens / rates.pp) * 1000 + b.generatedTokens * msPerGeneratedToken(rates, depth);
    floorMs.push(floor);
    floors.push(w.shownMs! / floor);
    // The floor as it was before the depth was known: every token at an empty cache's speed.
    depth0Floors.push(w.shownMs! / ((typedTokens / rates.pp + b.generatedTokens / rates.tg) * 1000));
    // The same floor at the speed this very request ran at (the machine's load changes).
    const local = (b.evaluatedTokens > 0 ? (typedTokens * b.promptMs) / b.evaluatedTokens : 0) + b.generateMs;
    if (local > 0) localFloors.push(w.shownMs! / local);
  }
  const b = model.map((w) => w.outcome!.breakdown!);
  // Each wait point as `file#n ms (where the time went)` (n counts the file's wait points from 1),
  // so that a p50 or a timeout can be traced to where in the replay it happened and why: `empty`
  // is an answer that had nothing to show (it counts as a timeout), `timeout` no answer in time.
  const ordinal = new Map<string, number>();
  const byWaitPoint = waits.map((w) => {
    const n = (ordinal.get(w.file) ?? 0) + 1;
    ordinal.set(w.file, n);
    const shown = w.shownMs !== undefined ? `${Math.round(w.shownMs)}` : w.empty ? 'empty' : 'timeout';
    const b = w.outcome?.breakdown;
    const where = b ? ` (stale ${round(b.staleMs)}, prompt ${round(b.promptMs)} ms/${b.evaluatedTokens} of ${b.promptTokens} tok, gen ${round(b.generateMs)} ms/${b.generatedTokens} tok)` : '';
    return `${basename(w.file)}#${n} ${shown}${where}`;
  });
  const bySource: Record<string, number> = {};
  for (const w of shown) bySource[w.outcome!.source!] = (bySource[w.outcome!.source!] ?? 0) + 1;
  return {
    wait_points: waits.length,
    shown: shown.length,
    p50_ms: round(p50(times)),
    p95_ms: round(p95(times)),
    mean_ms: round(mean(times)),
    max_ms: round(times.length ? Math.max(...times) : NaN),
    timeouts: waits.filter((w) => w.timedOut).length,
    timeouts_with_empty_answer: waits.filter((w) => w.empty).length,
    shown_by_source: bySource,
    floor_ratio_p50: round(p50(floors), 2),
    floor_ratio_p95: round(p95(floors), 2),
    floor_ms_p50: round(p50(floorMs)),
    floor_ratio_p50_depth0: round(p50(depth0Floors), 2),
    floor_ratio_at_request_speed_p50: round(p50(localFloors), 2),
    by_wait_point: byWaitPoint,
    at_wait_points: {
      model_answers: model.length,
      behind_stale_ms_p50: round(p50(b.map((x) => x.staleMs))),
      behind_stale_ms_mean: round(mean(b.map((x) => x.staleMs))),
      debounce_ms_p50: round(p50(b.map((x) => x.debounceMs))),
      own_prompt_ms_p50: round(p50(b.map((x) => x.promptMs))),
      own_prompt_ms_mean: round(mean(b.map((x) => x.promptMs))),
      own_generate_ms_p50: round(p50(b.map((x) => x.generateMs))),
      own_generate_ms_mean: round(mean(b.map((x) => x.generateMs))),
      evaluated_tokens_p50: round(p50(b.map((x) => x.evaluatedTokens))),
      prompt_tokens_p50: round(p50(b.map((x) => x.promptTokens))),
      generated_tokens_p50: round(p50(b.map((x) => x.generatedTokens))),
      typed_tokens_p50: round(p50(model.map((w) => sum(w.typed.map((t) => tokenCount.get(t) ?? 0))))),
    },
  };
}

/** `counts`: the worker's counters over the replay, when it reported them. */
export function sovereignFigures(run: RunResult, driver: SovereignDriver, rates: Rates, tokenCount: Map<string, number>, counts?: CompletionCounts): SideFigures {
  const main = driver.calls.filter((c) => c.kind === 'main' && c.stats);
  const evaluated = main.map((c) => c.stats!.evaluatedTokens);
  const prompt = main.map((c) => c.stats!.evaluatedTokens + c.stats!.reusedTokens);
  const shares = main.map((c) => c.stats!.evaluatedTokens / Math.max(1, c.stats!.evaluatedTokens + c.stats!.reusedTokens));
  // Overhead: provide() wall time minus the worker's totalMs, for model answers.
  const model = driver.provides.filter((p) => p.result === 'model' && p.callId !== undefined && driver.calls[p.callId].stats);
  const raw = model.map((p) => p.endAt! - p.startAt - driver.calls[p.callId!].stats!.totalMs);
  const clean = model.filter((p) => !driver.calls[p.callId!].behindOther).map((p) => p.endAt! - p.callAt! - driver.calls[p.callId!].stats!.totalMs);
  const cacheHitMs = driver.provides.filter((p) => p.result === 'cache' || p.result === 'typeThrough').map((p) => p.endAt! - p.startAt);
  const promptRate = sum(main.map((c) => c.stats!.evaluatedTokens)) / (sum(main.map((c) => c.stats!.promptMs)) / 1000);
  const genRuns = main.filter((c) => c.stats!.generatedTokens >= 2 && c.stats!.generateMs > 0);
  const genRate = sum(genRuns.map((c) => c.stats!.generatedTokens - 1)) / (sum(genRuns.map((c) => c.stats!.generateMs)) / 1000);
  const spec = driver.calls.filter((c) => c.kind === 'speculative');
  return {
    ...waitFigures(run, rates, tokenCount),
    requests: {
      model_calls: driver.calls.filter((c) => c.kind === 'main').length,
      completed: main.length,
      cancelled: driver.calls.filter((c) => c.kind === 'main' && c.cancelled).length,
      speculative: spec.length,
      speculative_cancelled: spec.filter((c) => c.cancelled).length,
      warm_ups: driver.calls.filter((c) => c.kind === 'warmup').length,
      errors: driver.calls.filter((c) => c.error).length,
      stop_types: countBy(main.map((c) => c.stats!.stop)),
    },
    evaluated_per_request: round(p50(evaluated)),
    evaluated_per_request_mean: round(mean(evaluated)),
    prompt_tokens_per_request: round(p50(prompt)),
    prompt_tokens_per_request_mean: round(mean(prompt)),
    reused_per_request: round(p50(main.map((c) => c.stats!.reusedTokens))),
    evaluated_share_p50: round(p50(shares), 3),
    evaluated_share_total: round(sum(evaluated) / Math.max(1, sum(prompt)), 3),
    // Every request the worker began to evaluate, cancelled ones included (their stats never reach
    // the driver): a keystroke's request evaluates what was typed even when the next key cancels it.
    ...(counts ? { evaluated_share_all_requests: round(counts.evaluatedTokens / Math.max(1, counts.promptTokens), 3), worker_counts: counts } : {}),
    // KV reuse across jumps (planKvReuse.ts): of the reused tokens, those moved to a new position.
    moved_share_total: round(sum(main.map((c) => c.stats!.shiftedTokens ?? 0)) / Math.max(1, sum(prompt)), 3),
    cache_hits: driver.pipeline.counters.cacheHits,
    type_through_hits: driver.pipeline.counters.typeThroughHits,
    cancelled_generations: driver.pipeline.counters.cancelled + spec.filter((c) => c.cancelled).length,
    overhead_p50_ms: round(p50(clean), 2),
    overhead_p95_ms: round(p95(clean), 2),
    overhead_samples: clean.length,
    overhead_incl_debounce_and_queue_p50_ms: round(p50(raw), 1),
    cache_hit_provide_p50_ms: round(p50(cacheHitMs), 3),
    engine_prompt_rate_tps: round(promptRate, 1),
    engine_generation_rate_tps: round(genRate, 2),
    driver: driver.summary(),
  };
}

export function llamaServerFigures(run: RunResult, driver: LlamaVscodeDriver, rates: Rates, tokenCount: Map<string, number>): SideFigures {
  const main = driver.requests.filter((r) => r.kind === 'main' && r.promptTokens !== undefined);
  const evaluated = main.map((r) => r.evaluatedTokens ?? 0);
  const prompt = main.map((r) => r.promptTokens ?? 0);
  const shares = main.map((r) => (r.evaluatedTokens ?? 0) / Math.max(1, r.promptTokens ?? 0));
  const spec = driver.requests.filter((r) => r.kind === 'speculative');
  const waitLoop = driver.calls.filter((c) => c.acquiredAt !== undefined).map((c) => c.acquiredAt! - c.startAt);
  const promptRate = sum(main.map((r) => r.evaluatedTokens ?? 0)) / (sum(main.map((r) => r.promptMs ?? 0)) / 1000);
  const genRate = sum(main.map((r) => r.generatedTokens ?? 0)) / (sum(main.map((r) => r.generateMs ?? 0)) / 1000);
  // Client + HTTP + JSON time around the server's own work, for requests that waited for nothing.
  const overhead = main
    .filter((r) => !r.behindOther)
    .map((r) => r.doneAt! - r.sentAt - (r.promptMs ?? 0) - (r.generateMs ?? 0));
  return {
    ...waitFigures(run, rates, tokenCount),
    requests: {
      model_calls: driver.requests.filter((r) => r.kind === 'main').length,
      completed: main.length,
      stale_answers: driver.counters.staleAnswers,
      speculative: spec.length,
      ring_warmups: driver.requests.filter((r) => r.kind === 'ring').length,
      http_errors: driver.counters.httpErrors,
      provider_calls_dropped_while_waiting: driver.calls.filter((c) => c.result === 'cancelled').length,
      stop_types: countBy(main.map((r) => r.stopType ?? '?')),
    },
    evaluated_per_request: round(p50(evaluated)),
    evaluated_per_request_mean: round(mean(evaluated)),
    prompt_tokens_per_request: round(p50(prompt)),
    prompt_tokens_per_request_mean: round(mean(prompt)),
    reused_per_request: round(p50(main.map((r) => r.reusedTokens ?? 0))),
    evaluated_share_p50: round(p50(shares), 3),
    evaluated_share_total: round(sum(evaluated) / Math.max(1, sum(prompt)), 3),
    cache_hits: driver.counters.cacheHits,
    type_through_hits: driver.counters.typeThroughHits,
    cancelled_generations: 0,
    wasted_generations: driver.counters.staleAnswers,
    wait_loop_ms_p50: round(p50(waitLoop)),
    wait_loop_ms_p95: round(p95(waitLoop)),
    overhead_p50_ms: round(p50(overhead), 2),
    overhead_samples: overhead.length,
    server_prompt_rate_tps: round(promptRate, 1),
    server_generation_rate_tps: round(genRate, 2),
    driver: driver.summary(),
  };
}

/** Type-through replay: what typing through a shown suggestion and accepting it cost. */
export function typethroughFigures(run: RunResult, modelCallsOf: (versions: Set<number>) => number): SideFigures {
  const through = run.keys.filter((k) => k.kind === 'typethrough');
  const accepts = run.keys.filter((k) => k.kind === 'accept');
  const events = [...through, ...accepts];
  const outcome = (v: number) => run.outcomes.get(v);
  const hit = (v: number) => {
    const s = outcome(v)?.source;
    return s === 'cache' || s === 'typeThrough';
  };
  const latency = (ks: typeof events) => ks.map((k) => (outcome(k.version)?.text ? outcome(k.version)!.at - k.keyAt : NaN)).filter(Number.isFinite);
  const versions = new Set(events.map((k) => k.version));
  const modelCalls = modelCallsOf(versions);
  return {
    typed_through_keystrokes: through.length,
    typed_through_hits: through.filter((k) => hit(k.version)).length,
    typed_through_shown_p50_ms: round(p50(latency(through)), 1),
    accepts: accepts.length,
    accept_hits: accepts.filter((k) => hit(k.version)).length,
    accept_shown_p50_ms: round(p50(latency(accepts)), 1),
    accept_shown_p95_ms: round(p95(latency(accepts)), 1),
    accept_timeouts: run.waits.filter((w) => w.kind === 'accept' && w.timedOut).length,
    model_calls_at_these_events: modelCalls,
    model_calls_saved: events.length - modelCalls,
  };
}
