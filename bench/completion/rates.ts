import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RuntimeClient } from '../../src/runtime/client';
import { p50 } from '../stats';
import type { Args } from './args';

export interface Rates {
  pp: number;
  /** llama-bench tg with an empty cache. */
  tg: number;
  /** llama-bench tg after FLOOR_DEPTH tokens in the cache (absent in results older than it). */
  tgDeep?: number;
}

/**
 * The cache depth of llama-bench's second generation sample. A generated token costs more the
 * more tokens its attention reads: the 0.5B-shape F16 model on 2 threads (AMD EPYC) generated 38.1
 * t/s at depth 0, 36.2 at 256, 33.9 at 512, 31.7 at 1024 and 28.1 at 2048 — close to a straight
 * line in ms a token. Between 0 and this depth (Sovereign's prompts) the line runs slightly below
 * the measured costs (28.9 against 29.5 ms at 512), so the floor is a little stricter than the
 * machine; beyond it (llama-server's longer prompts) slightly above (36.9 against 35.6 ms at 2048).
 */
export const FLOOR_DEPTH = 1024;

/**
 * The floor's milliseconds a generated token at a cache depth (a request's prompt tokens plus half
 * of what it generates): linear between llama-bench's two samples. A deep sample that came out
 * faster than the shallow one (noise) counts as no slowdown.
 */
export function msPerGeneratedToken(rates: Rates, depth: number): number {
  const shallow = 1000 / rates.tg;
  if (!rates.tgDeep) return shallow;
  return shallow + (Math.max(0, 1000 / rates.tgDeep - shallow) * Math.max(0, depth)) / FLOOR_DEPTH;
}

async function llamaBench(bench: string, model: string, o: { threads: number; batch: number; p: number; n: number; r: number; d?: number }): Promise<number> {
  const depth = o.d ?? 0;
  const args = ['-m', model, '-t', String(o.threads), '-p', String(o.p), '-n', String(o.n), '-d', String(depth), '-b', String(o.batch), '-ub', String(o.batch), '-r', String(o.r), '-o', 'json'];
  const { stdout } = await promisify(execFile)(bench, args, { maxBuffer: 16 << 20 });
  const rows = JSON.parse(stdout) as { n_prompt: number; n_gen: number; n_depth?: number; avg_ts: number }[];
  const row = rows.find((x) => x.n_prompt === o.p && x.n_gen === o.n && (x.n_depth ?? 0) === depth);
  if (!row) throw new Error(`llama-bench ${args.join(' ')}: no result row in ${stdout.slice(0, 500)}`);
  return row.avg_ts;
}

/** The engine's generation speed on a short prompt: tokens after the first ÷ generation time. */
async function engineTg(runtime: RuntimeClient, tokens: number, i: number): Promise<number> {
  const res = await runtime.complete({
    prefix: `// throughput probe ${i}\nexport function probe${i}(a, b) {\n  return `,
    suffix: '\n}\n',
    maxTokens: tokens,
    maxPrefixTokens: 1536,
    maxSuffixTokens: 256,
    timeBudgetMs: 0,
    indent: 0,
    singleLine: false,
  });
  const s = res.stats;
  return s.generatedTokens >= 2 && s.generateMs > 0 ? ((s.generatedTokens - 1) / s.generateMs) * 1000 : NaN;
}

/** One llama-bench sample taken between the replay's files, under the replay's conditions. */
export interface RateSample {
  /** The file whose sessions (every side) ran just before. */
  after: string;
  pp512: number;
  tg: number;
  /** tg after FLOOR_DEPTH tokens. */
  tgDeep: number;
}

export interface RateFigures {
  /** llama-bench pp512 before the replay (median of 2 repetitions). */
  pp512: number;
  /** llama-bench tg before the replay: median of the runs alternated with the engine's. */
  tg: number;
  /** llama-bench tg after FLOOR_DEPTH tokens, before the replay: median of its runs. */
  tgDeep: number;
  engineTg: number;
  nGen: number;
  benchTgRuns: number[];
  benchTgDeepRuns: number[];
  engineTgRuns: number[];
  /** Samples after each file of the replay, filled in while it runs. */
  throughRun: RateSample[];
}

/** Tokens a llama-bench or engine generation sample produces: at least 64, so its rate is steady. */
const sampleTokens = (args: Args) => Math.max(64, args.tokens);

/**
 * Prompt and generation rates with the same threads: llama-bench pp512 once, then llama-bench tg
 * (at depth 0 and at FLOOR_DEPTH) and the engine's own generation alternately, three times each,
 * so the machine's changing load hits all alike. Medians.
 */
export async function measureRates(bench: string, model: string, runtime: RuntimeClient, args: Args): Promise<RateFigures> {
  const nGen = sampleTokens(args);
  const o = { threads: args.threads, batch: args.batch };
  const pp512 = await llamaBench(bench, model, { ...o, p: 512, n: 0, r: 2 });
  const benchTgRuns: number[] = [];
  const benchTgDeepRuns: number[] = [];
  const engineTgRuns: number[] = [];
  for (let i = 0; i < 3; i++) {
    benchTgRuns.push(await llamaBench(bench, model, { ...o, p: 0, n: nGen, r: 1 }));
    benchTgDeepRuns.push(await llamaBench(bench, model, { ...o, p: 0, n: nGen, r: 1, d: FLOOR_DEPTH }));
    engineTgRuns.push(await engineTg(runtime, nGen, i));
  }
  return { pp512, tg: p50(benchTgRuns), tgDeep: p50(benchTgDeepRuns), engineTg: p50(engineTgRuns), nGen, benchTgRuns, benchTgDeepRuns, engineTgRuns, throughRun: [] };
}

/**
 * llama-bench pp512 and tg (at depth 0 and at FLOOR_DEPTH) once each, between two files of the replay. Only llama-bench runs: a
 * probe through the engine would take one of its cached places and change what the next file
 * reuses. About ten seconds per file.
 */
export async function sampleRates(bench: string, model: string, args: Args, after: string): Promise<RateSample> {
  const o = { threads: args.threads, batch: args.batch };
  const pp512 = await llamaBench(bench, model, { ...o, p: 512, n: 0, r: 1 });
  const tg = await llamaBench(bench, model, { ...o, p: 0, n: sampleTokens(args), r: 1 });
  const tgDeep = await llamaBench(bench, model, { ...o, p: 0, n: sampleTokens(args), r: 1, d: FLOOR_DEPTH });
  return { after, pp512, tg, tgDeep };
}

/**
 * The floor's rates: the median of every llama-bench sample of the run, the ones before the
 * replay and the ones between its files. One sample before a 20-minute replay made the floor
 * follow whatever minute it fell in: generation at 22.6 t/s in one run, 37.2 in the next, with
 * the engine at 28.5 and 26.9 t/s during those replays.
 */
export function floorRates(r: RateFigures): Required<Rates> {
  return {
    pp: p50([r.pp512, ...r.throughRun.map((x) => x.pp512)]),
    tg: p50([...r.benchTgRuns, ...r.throughRun.map((x) => x.tg)]),
    tgDeep: p50([...r.benchTgDeepRuns, ...r.throughRun.map((x) => x.tgDeep)]),
  };
}

export async function tokenizeAll(url: string, texts: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of new Set(texts)) {
    if (!t) {
      out.set(t, 0);
      continue;
    }
    const res = await fetch(`${url}/tokenize`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: t, add_special: false }) });
    const data = (await res.json()) as { tokens: unknown[] };
    out.set(t, data.tokens.length);
  }
  return out;
}
