import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import type { CompletionSettings } from '../../src/config/completionSettings';
import type { RuntimeClient } from '../../src/runtime/client';
import type { CompletionCounts } from '../../src/runtime/protocol';
import type { Driver } from '../driver';
import { ensureLlamaServer, startLlamaServer, type LlamaServer } from '../llamaServer';
import { LlamaVscodeDriver, llamaVscodeDefaults } from '../llamaVscodeDriver';
import type { Replay } from '../replay';
import { SovereignDriver } from '../sovereignDriver';
import { round } from '../stats';
import { workerRuntime } from '../workerRuntime';
import type { Args } from './args';
import { Harness, type RunResult } from './harness';
import { loadDescriptions, startLoad, type LoadKind } from '../../test/harness/busyLoad';
import { overheadProbe } from './overheadProbe';
import { processCpuSeconds } from './processCpu';
import { FLOOR_DEPTH, measureRates, sampleRates, tokenizeAll, type RateFigures } from './rates';

const serverLog = join(tmpdir(), 'sovereign-bench-llama-server.log');

export const log = (m: string) => process.stderr.write(`[bench:completion ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

/** What one run of both sides leaves for the figures. */
export interface Played {
  sovDriver: SovereignDriver;
  lsDriver: LlamaVscodeDriver;
  sovRun: RunResult;
  lsRun: RunResult;
  rates: RateFigures;
  /** Sovereign's overhead probe at rest (empty with --typethrough). */
  overhead: { samples: number[]; raw: number[] };
  /** Tokens of each text typed between shown suggestions (llama-server's tokenizer). */
  tokenCount: Map<string, number>;
  load: Record<string, number[]>;
  serverArgs: string[];
  /** Sovereign at llama-server's token bounds (bench/completion.ts equalContextSettings), when it ran. */
  equal?: { driver: SovereignDriver; run: RunResult; settings: CompletionSettings; counts?: CompletionCounts };
  /** The worker's own counters over the replay: every request, cancelled ones included. */
  sovCounts?: CompletionCounts;
  /** CPU seconds a side's process used while another side typed a file (over 1 s: the times of the one typing include its work). */
  crossTalk: CrossTalk[];
}

export interface CrossTalk {
  typing: string;
  file: string;
  busy: string;
  cpu_s: number;
}

/** The worker's completion counters now (undefined when it has none to report). */
async function countsOf(runtime: RuntimeClient | undefined): Promise<CompletionCounts | undefined> {
  return (await runtime?.status())?.completions;
}

/** `after` less `before`, field by field. */
function countsSince(before: CompletionCounts | undefined, after: CompletionCounts | undefined): CompletionCounts | undefined {
  if (!before || !after) return undefined;
  const out = { ...after };
  for (const k of Object.keys(out) as (keyof CompletionCounts)[]) out[k] -= before[k];
  return out;
}

const loadNow = () => loadavg().map((x) => round(x, 2)!);

/**
 * Both sides up, Sovereign's worker and llama-server (each idle while the other runs): the rates
 * first, then the replay's sessions alternately, then Sovereign's overhead probe.
 */
export async function playBothSides(args: Args, model: string, replay: Replay, settings: CompletionSettings, equalSettings?: CompletionSettings, competing?: LoadKind): Promise<Played> {
  const load: Record<string, number[]> = { start: loadNow() };
  const binaries = await ensureLlamaServer();
  log('Sovereign: starting the worker');
  const worker = () => workerRuntime({ completion: model }, { contextSize: args.ctx, threads: args.threads, adaptiveThreads: args.adaptiveThreads, cacheReuse: args.cacheReuse, cachedPlaces: args.cachedPlaces });
  const runtime = worker();
  // Its own worker, so its KV cache follows its own prompts.
  const equalRuntime = equalSettings && worker();
  let server: LlamaServer | undefined;
  try {
    if (equalRuntime) await equalRuntime.load('completion');
    const info = await runtime.load('completion');
    log(`Sovereign: loaded ${info.name} (${info.fim}, ctx ${info.contextSize}, ${info.threads} threads, ${info.gpu})`);
    const rates = await measureRates(binaries.bench, model, runtime, args);
    log(`rates: llama-bench pp512 ${rates.pp512.toFixed(1)} t/s, tg${rates.nGen} ${rates.benchTgRuns.map((x) => x.toFixed(2)).join('/')} t/s (at depth ${FLOOR_DEPTH} ${rates.benchTgDeepRuns.map((x) => x.toFixed(2)).join('/')}); engine tg ${rates.engineTgRuns.map((x) => x.toFixed(2)).join('/')} t/s`);
    const port = 18000 + Math.floor(Math.random() * 2000);
    log(`llama-server: starting on 127.0.0.1:${port} (log: ${serverLog})`);
    server = await startLlamaServer({ model, port, threads: args.threads, ctx: args.ctx, batch: args.batch, logFile: serverLog });

    const sovDriver = new SovereignDriver(runtime, { settings, prefixLines: 256, suffixLines: 64, repoName: 'workspace' });
    const lsDriver = new LlamaVscodeDriver(
      { ...llamaVscodeDefaults(server.url), n_predict: args.tokens, t_max_predict_ms: 0 },
      { seed: args.seed, samplers: args.infillSampler ? ['top_k', 'top_p', 'infill'] : ['top_k', 'top_p'] },
    );
    const sovHarness = new Harness(sovDriver, args.seed, args.typethrough);
    const lsHarness = new Harness(lsDriver, args.seed, args.typethrough);
    const sides: [string, Harness, Driver][] = [
      ['Sovereign', sovHarness, sovDriver],
      ['llama-server', lsHarness, lsDriver],
    ];
    const equalDriver = equalRuntime && equalSettings && new SovereignDriver(equalRuntime, { settings: equalSettings, prefixLines: 256, suffixLines: 64, repoName: 'workspace' });
    const equalHarness = equalDriver && new Harness(equalDriver, args.seed, args.typethrough);
    if (equalDriver && equalHarness) sides.splice(1, 0, ['Sovereign (equal context)', equalHarness, equalDriver]);
    // The competing load runs while the sides type and while the rates are sampled between files
    // (the rates before the replay are the quiet machine's).
    const countsBefore = [await countsOf(runtime), await countsOf(equalRuntime)];
    // Each side's process, whose CPU time says whether it kept working while another side typed.
    const pids: Record<string, number | undefined> = { Sovereign: runtime.pid, 'llama-server': server.pid, 'Sovereign (equal context)': equalRuntime?.pid };
    const crossTalk: CrossTalk[] = [];
    const running = competing && startLoad(competing);
    if (running) log(`competing load on: ${loadDescriptions[running.kind]}`);
    try {
      for (const [i, session] of replay.sessions.entries()) {
        // A-B, B-A, A-B, … so neither side always runs first.
        const order = i % 2 === 0 ? sides : [...sides].reverse();
        for (const [name, harness, driver] of order) {
          load[`${name} ${session.file.rel} start`] = loadNow();
          log(`${name}: typing ${session.file.rel} (${session.steps.length} steps)`);
          const others = order.filter(([other]) => other !== name).map(([other]) => ({ other, before: processCpuSeconds(pids[other]) }));
          await harness.session(session);
          for (const { other, before } of others) {
            const after = processCpuSeconds(pids[other]);
            const cpu = before !== undefined && after !== undefined ? after - before : 0;
            if (cpu <= 1) continue;
            crossTalk.push({ typing: name, file: session.file.rel, busy: other, cpu_s: Math.round(cpu * 10) / 10 });
            log(`${other} used ${cpu.toFixed(1)} s of CPU while ${name} typed ${session.file.rel}: its wait for idle ended too soon`);
          }
          // The user stops; background work (speculation, ring warm-ups) finishes before the
          // other side runs, so it never competes with it for the CPU. llama.vscode never cancels a
          // request, so llama-server can still be working through a queue when the typing ends (10 s
          // in one run); the wait, once at most 30 s, is now up to 3 minutes, and a long one is logged.
          const quietFrom = performance.now();
          const idle = await driver.quiesce(180_000);
          const waited = (performance.now() - quietFrom) / 1000;
          if (!idle || waited > 5) log(`${name}: ${idle ? 'idle' : 'STILL BUSY'} after ${waited.toFixed(0)} s of waiting for its background work`);
        }
        // The floor's rates through the run, under the same load as the replay (see floorRates).
        const sample = await sampleRates(binaries.bench, model, args, session.file.rel);
        rates.throughRun.push(sample);
        log(`rates after ${session.file.rel}: llama-bench pp512 ${sample.pp512.toFixed(1)} t/s, tg ${sample.tg.toFixed(2)} t/s (at depth ${FLOOR_DEPTH} ${sample.tgDeep.toFixed(2)})`);
      }
    } finally {
      await running?.stop();
    }
    const sovCounts = countsSince(countsBefore[0], await countsOf(runtime));
    const equalCounts = countsSince(countsBefore[1], await countsOf(equalRuntime));
    let overhead: Played['overhead'] = { samples: [], raw: [] };
    if (!args.typethrough) {
      log('Sovereign: overhead probe');
      overhead = await overheadProbe(sovDriver, replay.sessions[replay.sessions.length - 1], args.quick ? 3 : 8);
    }
    await sovDriver.dispose();
    await lsDriver.dispose();
    await equalDriver?.dispose();
    log(`replays done: Sovereign ${(sovHarness.wallMs / 1000).toFixed(0)} s, llama-server ${(lsHarness.wallMs / 1000).toFixed(0)} s${equalHarness ? `, Sovereign at equal context ${(equalHarness.wallMs / 1000).toFixed(0)} s` : ''}`);
    load.end = loadNow();
    const texts = [...sovHarness.waits, ...lsHarness.waits, ...(equalHarness?.waits ?? [])].flatMap((w) => w.typed);
    const tokenCount = await tokenizeAll(server.url, texts);
    const equal = equalDriver && equalHarness && equalSettings && { driver: equalDriver, run: equalHarness.run, settings: equalSettings, counts: equalCounts };
    return { sovDriver, lsDriver, sovRun: sovHarness.run, lsRun: lsHarness.run, rates, overhead, tokenCount, load, serverArgs: server.args, equal, sovCounts, crossTalk };
  } finally {
    await server?.stop();
    await runtime.shutdown();
    await equalRuntime?.shutdown();
  }
}
