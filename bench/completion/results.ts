import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { CompletionSettings } from '../../src/config/completionSettings';
import type { Replay, SourceFile } from '../replay';
import { p50, p95, round } from '../stats';
import { repo, type Args } from './args';
import { llamaServerFigures, sovereignFigures, typethroughFigures, waitFigures, type SideFigures } from './figures';
import { WAIT_TIMEOUT_MS } from './harness';
import type { Played } from './sides';
import { FLOOR_DEPTH, floorRates } from './rates';

/** What the run was: command, machine, inputs and the notes that say how each figure is measured. */
export interface RunContext {
  args: Args;
  command: string;
  model: string;
  files: SourceFile[];
  replay: Replay;
  settings: CompletionSettings;
}

/** Sovereign's figures, with the at-rest probe as the overhead figure (the replay's own, rarely at rest, stays for reference). */
function sovereignWithProbe(played: Played): SideFigures {
  const { sovRun, sovDriver, overhead, tokenCount } = played;
  const sov = sovereignFigures(sovRun, sovDriver, ratesOf(played), tokenCount, played.sovCounts);
  sov.overhead_replay_p50_ms = sov.overhead_p50_ms;
  sov.overhead_replay_samples = sov.overhead_samples;
  if (overhead.samples.length > 0) {
    sov.overhead_p50_ms = round(p50(overhead.samples), 2);
    sov.overhead_p95_ms = round(p95(overhead.samples), 2);
    sov.overhead_samples = overhead.samples.length;
    sov.overhead_probe_ms = overhead.samples.map((x) => round(x, 2));
    sov.overhead_incl_debounce_probe_p50_ms = round(p50(overhead.raw), 1);
  }
  return sov;
}

/** The floor's rates: llama-bench pp512 for typed tokens, llama-bench tg (depth 0 and FLOOR_DEPTH) for generated ones, medians through the run. */
const ratesOf = (played: Played) => floorRates(played.rates);

function pkgVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function runDescription(ctx: RunContext, played: Played): Record<string, unknown> {
  const { args, command, model, files, replay, settings } = ctx;
  const { load, serverArgs, crossTalk } = played;
  return {
    command,
    date: new Date().toISOString(),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), shared with other work`,
    model,
    threads: args.threads,
    ctx: args.ctx,
    tokens: args.tokens,
    seed: args.seed,
    quick: args.quick,
    files: files.map((f) => ({ path: f.rel, sha256: createHash('sha256').update(f.text).digest('hex').slice(0, 16) })),
    packages: { 'vscode-jsonrpc': pkgVersion('vscode-jsonrpc'), semver: pkgVersion('semver'), '@types/node': pkgVersion('@types/node'), 'node-llama-cpp': pkgVersion('node-llama-cpp') },
    replay: { files: replay.sessions.length, keystrokes: replay.keystrokes, wait_points: replay.waitPoints, wait_timeout_ms: WAIT_TIMEOUT_MS },
    llama_server_args: serverArgs.join(' '),
    llama_vscode_samplers: args.infillSampler ? 'top_k, top_p, infill (as llama.vscode)' : 'top_k, top_p (llama.vscode adds infill; see notes)',
    load_average_1_5_15: load,
    // Empty when every side was idle while another typed (see sides.ts).
    cpu_of_a_side_while_another_typed: crossTalk,
    notes: [
      'Both sides: same replay, same model file, same threads and context size, every completion generates --tokens tokens unless the model ends it (no time budget: t_max_predict_ms 0 / timeBudgetMs 0).',
      'Time to suggestion = from the keystroke at a wait point to the provider call for that exact document state returning text (VS Code would show it then).',
      "Prompts differ by design: Sovereign takes ≤ 1536 prefix tokens (cut in 16-line blocks), ≤ 256 suffix tokens, ≤ 2048 extra-context tokens, lowered to fit promptBudgetMs at the worker's measured prompt speed (a whole prompt ≈ promptBudgetMs, the suffix ≈ promptBudgetMs/16; see sovereign_settings, 0 = fixed bounds); llama-server's /infill takes ≤ 3/4·n_batch prefix tokens, ≤ n_batch/4 − 2 − prompt suffix tokens, extra context filling the rest of the context (llama.cpp tools/server/server-common.cpp format_prompt_infill).",
      `floor = typed tokens since the previous shown suggestion ÷ llama-bench pp512 + generated tokens × llama-bench's ms a token at the request's cache depth (its prompt tokens + half its generated tokens; linear between llama-bench tg at depth 0 and at depth ${FLOOR_DEPTH}, \`-d\`), medians of the samples before the replay and after each file; floor_ratio = time to suggestion ÷ floor (model answers only). floor_ratio_p50_depth0 is the same with every generated token at depth 0's speed (the floor before the bench measured depth), which llama.cpp itself does not reach with a 500-token prompt in its cache. floor_ratio_at_request_speed uses the prompt and generation speed of the very request that answered instead (typed tokens × its ms per evaluated token + its generation time), which takes the machine load at that moment out.`,
      'A wait point whose provider call returned nothing counts as a timeout (timeouts_with_empty_answer): VS Code asks again only after the next edit, so the simulated user waits the 15 s out.',
      'Sovereign overhead_p50_ms = provide() wall time after the debounce minus the worker stats.totalMs (IPC, JSON-RPC, queueing in the worker, post-processing), measured by a probe of completions at rest after the replay (during typing nearly every request queues behind an aborted one, so the replay has few clean samples: overhead_replay_*); overhead_incl_debounce_and_queue_p50_ms is provide() wall minus totalMs during the replay with nothing taken out.',
      'behind_stale_ms: Sovereign = wait in the worker behind the aborted request for an earlier state (plus IPC); llama.vscode = its isRequestInProgress poll loop plus time queued in the one-slot server behind speculative/warm-up requests (plus HTTP).',
      "llama.vscode sends samplers [top_k, top_p, infill]. llama.cpp's infill sampler ends a generation with EOT when no candidate reaches p 0.2 after merging prefixes, which a random-weight model's flat distribution hits after a few tokens; llama-server then generated far fewer tokens than Sovereign. The benchmark therefore drops 'infill' (--infill-sampler keeps it) so both sides generate the same number of tokens; top_k 40 / top_p 0.99 stay.",
      "Sovereign runs the extension's own code from the keystroke to the worker: completionInputAt (the provider's window and character bounds), CompletionPipeline, CompletionActivity and ContextFeedScheduler (extra context enters the ring 3 s after the last completion ENDED, then a warm-up at the cursor); only the vscode event wiring is played by the driver (bench/sovereignDriver.ts).",
      'Sessions (files) alternate between the sides (A-B, B-A, …), each side idle (no background work) while the other types.',
      "sovereign_equal_context: Sovereign again, in its own worker, with llama-server's token bounds (≤ 3/4·n_batch prefix, ≤ n_batch/4 − 2 suffix, extra context ≤ n_ctx − n_batch − 2·n_predict) and no prompt budget; ratio_p50_equal_context is its p50 over llama-server's. The line windows (256 before, 64 after) are the same on all sides; what fills the extra context differs (Sovereign's ring vs llama.vscode's chunks). It types between the two sides (S, E, L, then L, E, S, …).",
      'The machine has 2 cores shared with other work; see load_average_1_5_15.',
    ],
    sovereign_settings: settings,
    sovereign_runtime: { adaptive_threads: args.adaptiveThreads, cache_reuse: args.cacheReuse, cached_places: args.cachedPlaces },
  };
}

/**
 * completion.json's content. A full run: both sides' figures, the ratios and the targets (a
 * previous type-through section is kept). --typethrough: only its own section, the rest of
 * `previous` kept. `headline` is what the run prints.
 */
export function completionResults(ctx: RunContext, played: Played, previous: Record<string, unknown>): { results: Record<string, unknown>; headline: unknown } {
  if (ctx.args.typethrough) {
    const typethrough = typethroughResults(played, runDescription(ctx, played));
    return { results: { ...previous, typethrough }, headline: typethrough };
  }
  const { lsRun, lsDriver, tokenCount, rates: lb } = played;
  const floor = ratesOf(played);
  const sov = sovereignWithProbe(played);
  const ls = llamaServerFigures(lsRun, lsDriver, floor, tokenCount);
  const ratio = (sov.p50_ms as number) / (ls.p50_ms as number);
  const equal = played.equal && sovereignFigures(played.equal.run, played.equal.driver, floor, tokenCount, played.equal.counts);
  const equalRatio = equal ? (equal.p50_ms as number) / (ls.p50_ms as number) : undefined;
  const throughputRatio = lb.engineTg / lb.tg;
  const evalShare = sov.evaluated_share_total as number;
  const allShare = sov.evaluated_share_all_requests as number | undefined;
  const target = (value: unknown, goal: string, met: boolean | null) => ({ value, target: goal, met: typeof value === 'number' && Number.isFinite(value) ? met : null });
  const results = {
    ...runDescription(ctx, played),
    rates: {
      llama_bench: {
        pp512_tps: round(lb.pp512, 1),
        [`tg${lb.nGen}_tps`]: round(lb.tg, 2),
        [`tg${lb.nGen}_runs_tps`]: lb.benchTgRuns.map((x) => round(x, 2)),
        [`tg${lb.nGen}_at_depth_${FLOOR_DEPTH}_tps`]: round(lb.tgDeep, 2),
        [`tg${lb.nGen}_at_depth_${FLOOR_DEPTH}_runs_tps`]: lb.benchTgDeepRuns.map((x) => round(x, 2)),
      },
      llama_bench_through_run: lb.throughRun.map((x) => ({ after: x.after, pp512_tps: round(x.pp512, 1), [`tg${lb.nGen}_tps`]: round(x.tg, 2), [`tg${lb.nGen}_at_depth_${FLOOR_DEPTH}_tps`]: round(x.tgDeep, 2) })),
      floor: { pp512_tps: round(floor.pp, 1), [`tg${lb.nGen}_tps`]: round(floor.tg, 2), [`tg${lb.nGen}_at_depth_${FLOOR_DEPTH}_tps`]: round(floor.tgDeep, 2) },
      engine_tg_tps: round(lb.engineTg, 2),
      engine_tg_runs_tps: lb.engineTgRuns.map((x) => round(x, 2)),
      measured: 'llama-bench tg and the engine (short prompt, greedy, tokens after the first ÷ generation time) alternately, 3 runs each, medians',
      floor_uses: `llama-bench pp512 for typed tokens, llama-bench tg for generated tokens at each request's cache depth (linear between depth 0 and ${FLOOR_DEPTH}): the median of the samples before the replay and after each of its files (with --busy the ones after a file ran under the load)`,
    },
    sovereign: sov,
    ...(equal && played.equal ? { sovereign_equal_context: { settings: played.equal.settings, ...equal } } : {}),
    llama_server: ls,
    ratio_p50: round(ratio, 3),
    ...(equalRatio !== undefined ? { ratio_p50_equal_context: round(equalRatio, 3) } : {}),
    throughput_ratio: round(throughputRatio, 3),
    targets: {
      ratio_p50: target(round(ratio, 3), '≤ 0.25', ratio <= 0.25),
      ...(equalRatio !== undefined ? { ratio_p50_equal_context: target(round(equalRatio, 3), '≤ 0.5', equalRatio <= 0.5) } : {}),
      floor_ratio_p50: target(sov.floor_ratio_p50, '≤ 1.2', (sov.floor_ratio_p50 as number) <= 1.2),
      ...(allShare !== undefined ? { evaluated_share_all_requests: target(allShare, '≤ 0.10 of the prompt, every request (cancelled ones included)', allShare <= 0.1) } : {}),
      evaluated_share: target(evalShare, '≤ 0.10 of the prompt, answered requests', evalShare <= 0.1),
      overhead_p50_ms: target(sov.overhead_p50_ms, '≤ 5 ms', (sov.overhead_p50_ms as number) <= 5),
      throughput_ratio: target(round(throughputRatio, 3), '≥ 0.95', throughputRatio >= 0.95),
      timeouts: target(sov.timeouts, '0', sov.timeouts === 0),
    },
    ...(previous.typethrough ? { typethrough: previous.typethrough } : {}),
  };
  const headline = {
    sovereign: pick(sov),
    ...(equal ? { sovereign_equal_context: pick(equal) } : {}),
    llama_server: pick(ls),
    ratio_p50: round(ratio, 3),
    ...(equalRatio !== undefined ? { ratio_p50_equal_context: round(equalRatio, 3) } : {}),
    throughput_ratio: round(throughputRatio, 3),
  };
  return { results, headline };
}

/** The type-through replay: what typing through a shown suggestion and accepting it cost on each side. */
function typethroughResults(played: Played, common: Record<string, unknown>): Record<string, unknown> {
  const { sovRun, lsRun, sovDriver, lsDriver, tokenCount } = played;
  const rates = ratesOf(played);
  const sovCalls = (versions: Set<number>) => sovDriver.provides.filter((p) => versions.has(p.version) && p.callAt !== undefined).length;
  const lsCalls = (versions: Set<number>) => lsDriver.calls.filter((c) => versions.has(c.version) && c.requestId !== undefined).length;
  return {
    ...common,
    sovereign: {
      ...typethroughFigures(sovRun, sovCalls),
      speculative_requests: sovDriver.calls.filter((c) => c.kind === 'speculative').length,
      speculative_cancelled: sovDriver.calls.filter((c) => c.kind === 'speculative' && c.cancelled).length,
      wait_points: waitFigures(sovRun, rates, tokenCount),
      engine_counters: sovDriver.pipeline.counters,
    },
    llama_server: {
      ...typethroughFigures(lsRun, lsCalls),
      speculative_requests: lsDriver.requests.filter((r) => r.kind === 'speculative').length,
      wait_points: waitFigures(lsRun, rates, tokenCount),
      counters: lsDriver.counters,
    },
  };
}

function pick(f: SideFigures): SideFigures {
  const keys = ['p50_ms', 'p95_ms', 'timeouts', 'floor_ratio_p50', 'evaluated_per_request', 'prompt_tokens_per_request', 'overhead_p50_ms', 'cache_hits', 'type_through_hits'];
  return Object.fromEntries(keys.map((k) => [k, f[k]]));
}
