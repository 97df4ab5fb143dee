/**
 * Generation and prompt rate of node-llama-cpp as the worker runs it, by libuv thread-pool size,
 * alternated with llama-bench in one run (absolute numbers drift on a shared machine).
 *
 * Why the pool size: node-llama-cpp runs each decode on whichever libuv pool thread is free, and
 * its CPU backend runs each decode with a team of threads (ggml's own thread pool; the prebuilt
 * binaries have no OpenMP). With the default 4 pool threads, more threads than cores compete on a
 * 2-core machine; the worker therefore starts
 * with a smaller pool (src/runtime/workerEnv.ts). Each variant runs in its own process because
 * libuv reads UV_THREADPOOL_SIZE once.
 *
 * `npx tsx bench/genRate.ts [--model <gguf>] [--tokens 64] [--rounds 3] [--pools 4,2,1]`
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { cacheDir, ensureLlamaServer } from './llamaServer';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const modelPath = arg('model', path.join(cacheDir(), 'models', 'bench-qwen2.5-coder-0.5b-f16.gguf'));
const nGen = Number(arg('tokens', '64'));
const promptTokens = 512;
const promptStep = 64; // the worker's evaluation step (src/runtime/worker/fimCompleter.ts)

/** In a child: load, then print {tg, pp} measured the way the worker generates and evaluates. */
async function child(threads: number): Promise<void> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 4096, threads, sequences: 1 });
  const seq = context.getSequence();
  const text = 'function add(a, b) { return a + b; }\nconst x = [1, 2, 3].map((v) => v * 2);\n'.repeat(100);
  const tokens = model.tokenize(text).slice(0, promptTokens);
  await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 16)); // pages the weights in
  const p0 = performance.now();
  for (let i = 16; i < tokens.length; i += promptStep) await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(i, i + promptStep));
  const pp = ((tokens.length - 16) / (performance.now() - p0)) * 1000;
  await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
  const prompt = model.tokenize('export function probe(a, b) {\n  return ');
  await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
  let n = 0;
  let first = 0;
  let last = 0;
  for await (const _token of seq.evaluate(prompt.slice(-1), { temperature: 0 })) {
    last = performance.now();
    if (!first) first = last;
    if (++n >= nGen) break;
  }
  const tg = ((n - 1) / (last - first)) * 1000;
  process.stdout.write(`${JSON.stringify({ tg, pp })}\n`);
  await context.dispose();
  await model.dispose();
}

function llamaBench(bench: string, threads: number, p: number, n: number): number {
  const out = execFileSync(bench, ['-m', modelPath, '-t', String(threads), '-p', String(p), '-n', String(n), '-r', '1', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out)[0].avg_ts;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const threads = Number(arg('threads', '2'));
  if (process.argv.includes('--child')) return child(threads);
  const pools = arg('pools', '4,2,1').split(',').map(Number);
  const rounds = Number(arg('rounds', '3'));
  const { bench } = await ensureLlamaServer();
  const tg: Record<string, number[]> = {};
  const pp: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const size of pools) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', '--model', modelPath, '--tokens', String(nGen), '--threads', String(threads)], {
        encoding: 'utf8',
        env: { ...process.env, UV_THREADPOOL_SIZE: String(size) },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const m = JSON.parse(out.trim().split('\n').at(-1)!) as { tg: number; pp: number };
      (tg[`node-llama-cpp, pool ${size}`] ??= []).push(round1(m.tg));
      (pp[`node-llama-cpp, pool ${size}, steps of ${promptStep}`] ??= []).push(round1(m.pp));
    }
    (tg[`llama-bench tg${nGen}`] ??= []).push(round1(llamaBench(bench, threads, 0, nGen)));
    (pp[`llama-bench pp${promptTokens}`] ??= []).push(round1(llamaBench(bench, threads, promptTokens, 0)));
  }
  const benchTg = median(tg[`llama-bench tg${nGen}`]);
  const benchPp = median(pp[`llama-bench pp${promptTokens}`]);
  const ratios = (rows: Record<string, number[]>, base: number) =>
    Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, { runs_tps: v, median_tps: median(v), ratio_to_llama_bench: Math.round((median(v) / base) * 1000) / 1000 }]));
  console.log(JSON.stringify({ model: path.basename(modelPath), threads, generated_tokens: nGen, prompt_tokens: promptTokens, generation: ratios(tg, benchTg), prompt: ratios(pp, benchPp) }, null, 1));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
