/**
 * bench:completion — time to a suggestion while a user types, Sovereign against llama-server
 * driven the way llama.vscode drives it. A benchmark, not a test.
 *
 *   npm run bench:completion -- [--files <paths…>] [--model <gguf>] [--quick] [--typethrough]
 *                               [--tokens N] [--seed N] [--ctx N] [--threads N] [--prompt-budget-ms N]
 *                               [--no-equal-context] [--busy] [--fixed-threads] [--no-cache-reuse]
 *                               [--cached-places N]
 *
 * One process run: llama-bench (prompt and generation rate of the model with the same threads),
 * then Sovereign (the real CompletionPipeline + RuntimeClient + dist/worker.js), then llama-server
 * (llama.vscode's client logic, bench/llamaVscodeDriver.ts), each fed the same seeded replay
 * (bench/replay.ts) of typing real source files from node_modules. Every completion generates
 * exactly --tokens tokens on both sides when the model does not end it (no time budget): the
 * random-weight benchmark model almost never emits a line break.
 *
 * --typethrough: a replay in which the user types the first characters of each shown suggestion
 * and then accepts it, to measure type-through and speculation (random models never predict what
 * the user types, so this is the only way to exercise them). Its figures go under `typethrough`
 * in bench/results/completion.json (the rest of the file is kept).
 *
 * Equal context: Sovereign also types the replay a second time, in its own worker, with
 * llama-server's token bounds and no prompt budget (equalContextSettings), and its ratio to the
 * peer is reported beside the default one (--no-equal-context skips it).
 *
 * --busy: the same replay three times in one run, quiet and then beside each competing load the
 * bench starts and stops itself (test/harness/busyLoad.ts: one busy process at normal
 * priority like a compiler; one per core at nice 19 like an indexer), both sides each time (the
 * equal-context side is left out). Its figures go under `busy` in completion.json.
 * --fixed-threads turns Sovereign's adaptive thread count off (sovereign.runtime.adaptiveThreads),
 * to compare. --no-cache-reuse turns KV reuse across jumps off (sovereign.completion.cacheReuse):
 * only the common prefix of the last prompt is kept, as before it existed. --cached-places N sets
 * sovereign.completion.cachedPlaces (3 by default, as in the extension; 1: one sequence, so a jump
 * back to a place evaluates its prompt again).
 *
 * Writes bench/results/completion.json, completion.md and completion.svg.
 *
 * The pieces, in bench/completion/: args (command line), harness (plays the editor and the user),
 * sides (runs both sides through the replay), rates (llama-bench and the engine's own speed),
 * overheadProbe, figures (each side's numbers), results (completion.json), markdown and svgChart.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { extraContextTokens, type CompletionSettings } from '../src/config/completionSettings';
import { ensureTestModels, testModelPath } from '../scripts/models/testModels';
import { parseArgs, repo, type Args } from './completion/args';
import type { WaitRecord } from './completion/harness';
import { markdown } from './completion/markdown';
import { completionResults, type RunContext } from './completion/results';
import { loadDescriptions, loadKinds, type LoadKind } from '../test/harness/busyLoad';
import { log, playBothSides, type Played } from './completion/sides';
import { svgChart } from './completion/svgChart';
import type { SideFigures } from './completion/figures';
import { buildReplay, type SourceFile } from './replay';
import { workerPath } from './workerRuntime';

const resultsDir = join(repo, 'bench', 'results');
const outJson = join(resultsDir, 'completion.json');

/** The extension's completion settings for the run: every completion generates --tokens tokens (no time budget). */
function sovereignSettings(args: Args): CompletionSettings {
  return {
    maxTokens: args.tokens,
    maxLines: 10_000,
    timeBudgetMs: 0,
    maxPrefixTokens: 1536,
    maxSuffixTokens: 256,
    maxExtraTokens: extraContextTokens,
    promptBudgetMs: args.promptBudgetMs,
    debounceMinMs: 30,
    debounceMaxMs: 120,
    speculate: true,
  };
}

/**
 * Sovereign with the token bounds llama-server's /infill applies (llama.cpp format_prompt_infill):
 * ≤ 3/4·n_batch prefix tokens, ≤ n_batch/4 − 2 suffix tokens (less the current line, which
 * llama.vscode sends as `prompt`), extra context up to n_ctx − n_batch − 2·n_predict; prompt budget off.
 */
export function equalContextSettings(args: Args): CompletionSettings {
  return {
    ...sovereignSettings(args),
    maxPrefixTokens: Math.floor((3 * args.batch) / 4),
    maxSuffixTokens: Math.floor(args.batch / 4) - 2,
    maxExtraTokens: Math.max(0, args.ctx - args.batch - 2 * args.tokens),
    promptBudgetMs: 0,
  };
}

async function benchModel(args: Args): Promise<string> {
  if (args.model) return resolve(args.model);
  await ensureTestModels({ bench: true });
  return testModelPath('bench-qwen2.5-coder-0.5b-f16');
}

/** BENCH_COMPLETION_DEBUG=<file>: every wait, key, call and request of both sides. */
function writeDebug(file: string, played: Played): void {
  const { sovRun, lsRun, sovDriver, lsDriver } = played;
  const strip = (w: WaitRecord) => ({ ...w, outcome: w.outcome && { ...w.outcome, text: w.outcome.text?.slice(0, 40) } });
  const debug = {
    sovereign: { waits: sovRun.waits.map(strip), keys: sovRun.keys, calls: sovDriver.calls, provides: sovDriver.provides },
    llama_server: { waits: lsRun.waits.map(strip), keys: lsRun.keys, requests: lsDriver.requests, calls: lsDriver.calls },
  };
  writeFileSync(file, JSON.stringify(debug, null, 1));
}

function writeResults(results: Record<string, unknown>): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(outJson, JSON.stringify(results, null, 2) + '\n');
  if (results.sovereign && results.llama_server) writeFileSync(join(resultsDir, 'completion.svg'), svgChart(results.sovereign as SideFigures, results.llama_server as SideFigures));
  writeFileSync(join(resultsDir, 'completion.md'), markdown(results));
  log(`wrote ${outJson}`);
}

/** --busy: quiet, then each load; per condition both sides' figures, and each one's p50 against its own quiet p50. */
async function busyRun(ctx: RunContext): Promise<void> {
  const conditions: { name: string; load?: LoadKind }[] = [{ name: 'quiet' }, ...loadKinds.map((load) => ({ name: load, load }))];
  const figures: Record<string, unknown> = {};
  let quiet: { sov: SideFigures; ls: SideFigures } | undefined;
  for (const c of conditions) {
    log(`--busy: ${c.name}${c.load ? ` (${loadDescriptions[c.load]})` : ''}`);
    const played = await playBothSides(ctx.args, ctx.model, ctx.replay, ctx.settings, undefined, c.load);
    const { results } = completionResults(ctx, played, {});
    const sov = results.sovereign as SideFigures;
    const ls = results.llama_server as SideFigures;
    quiet ??= { sov, ls };
    const threads = played.sovDriver.calls.map((call) => call.stats?.threads).filter((t): t is number => t !== undefined);
    figures[c.name] = {
      load: c.load ? loadDescriptions[c.load] : 'none',
      sovereign: {
        p50_ms: sov.p50_ms, p95_ms: sov.p95_ms, timeouts: sov.timeouts, timeouts_with_empty_answer: sov.timeouts_with_empty_answer, p50_vs_quiet: ratioOf(sov.p50_ms, quiet.sov.p50_ms),
        // The floor of this condition: the median of llama-bench before the replay (quiet) and after each file (under the load); see floorRates.
        floor_ratio_p50: sov.floor_ratio_p50, floor_ratio_p50_depth0: sov.floor_ratio_p50_depth0, floor_ratio_at_request_speed_p50: sov.floor_ratio_at_request_speed_p50, evaluated_share_all_requests: sov.evaluated_share_all_requests,
        floor_rates: (results.rates as { floor: unknown }).floor,
        threads_per_request: countBy(threads), by_wait_point: sov.by_wait_point,
      },
      llama_server: { p50_ms: ls.p50_ms, p95_ms: ls.p95_ms, timeouts: ls.timeouts, timeouts_with_empty_answer: ls.timeouts_with_empty_answer, p50_vs_quiet: ratioOf(ls.p50_ms, quiet.ls.p50_ms) },
      ratio_p50: ratioOf(sov.p50_ms, ls.p50_ms),
      cpu_of_a_side_while_another_typed: played.crossTalk,
    };
  }
  const previous = existsSync(outJson) ? (JSON.parse(readFileSync(outJson, 'utf8')) as Record<string, unknown>) : {};
  const busy = {
    command: ctx.command,
    date: new Date().toISOString(),
    adaptive_threads: ctx.args.adaptiveThreads,
    threads: ctx.args.threads,
    wait_points: ctx.replay.waitPoints,
    target: 'Sovereign p50 ≤ 2× its quiet p50 and 0 timeouts under both loads',
    conditions: figures,
  };
  writeResults({ ...previous, busy });
  console.log(JSON.stringify(busy, null, 2));
}

function ratioOf(a: unknown, b: unknown): number | undefined {
  return typeof a === 'number' && typeof b === 'number' && b > 0 ? Math.round((a / b) * 1000) / 1000 : undefined;
}

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const command = `npm run bench:completion${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  if (!existsSync(workerPath)) throw new Error(`${workerPath} is missing: run "npm run build" first`);
  const model = await benchModel(args);
  const files: SourceFile[] = args.files.map((f) => {
    const path = resolve(f);
    return { path, rel: relative(repo, path), text: readFileSync(path, 'utf8') };
  });
  const replay = buildReplay(files, { seed: args.seed, quick: args.quick });
  log(`replay: ${replay.sessions.length} files, ${replay.keystrokes} keystrokes, ${replay.waitPoints} wait points (seed ${args.seed}${args.quick ? ', quick' : ''}${args.typethrough ? ', type-through' : ''})`);
  const settings = sovereignSettings(args);

  if (args.busy) return busyRun({ args, command, model, files, replay, settings });
  const played = await playBothSides(args, model, replay, settings, args.equalContext && !args.typethrough ? equalContextSettings(args) : undefined);
  if (process.env.BENCH_COMPLETION_DEBUG) writeDebug(process.env.BENCH_COMPLETION_DEBUG, played);

  const previous = existsSync(outJson) ? (JSON.parse(readFileSync(outJson, 'utf8')) as Record<string, unknown>) : {};
  const { results, headline } = completionResults({ args, command, model, files, replay, settings }, played, previous);
  writeResults(results);
  console.log(JSON.stringify(headline, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
