/**
 * Prompt-evaluation rate of node-llama-cpp as the worker uses it, by evaluation step and context
 * options, alternated with llama-bench in one run (absolute numbers drift on a shared machine).
 * `npx tsx bench/promptRate.ts [--model <gguf>] [--tokens 1024]`
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { LlamaContextOptions } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { cacheDir, ensureLlamaServer } from './llamaServer';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const modelPath = arg('model', path.join(cacheDir(), 'models', 'bench-qwen2.5-coder-0.5b-f16.gguf'));
const nTokens = Number(arg('tokens', '1024'));

async function main(): Promise<void> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never' });
  const model = await llama.loadModel({ modelPath });
  const text = 'function add(a, b) { return a + b; }\nconst x = [1, 2, 3].map((v) => v * 2);\n'.repeat(200);
  const tokens = model.tokenize(text).slice(0, nTokens);
  const variants: { name: string; step: number; options: Partial<LlamaContextOptions> }[] = [
    { name: 'step 64', step: 64, options: {} },
    { name: 'step 512', step: 512, options: {} },
    { name: 'one call', step: nTokens, options: {} },
    { name: 'step 64, flash attention', step: 64, options: { flashAttention: true } },
    { name: 'step 512, flash attention', step: 512, options: { flashAttention: true } },
    { name: 'step 512, batch 1024', step: 512, options: { batchSize: 1024 } },
  ];
  const results: Record<string, number[]> = {};
  const { bench } = await ensureLlamaServer();
  for (let round = 0; round < 2; round++) {
    for (const v of variants) {
      const context = await model.createContext({ contextSize: 4096, threads: llama.cpuMathCores, sequences: 1, ...v.options });
      const seq = context.getSequence();
      const t0 = performance.now();
      for (let i = 0; i < tokens.length; i += v.step) await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(i, i + v.step));
      const tps = tokens.length / ((performance.now() - t0) / 1000);
      (results[v.name] ??= []).push(Math.round(tps));
      await context.dispose();
    }
    const out = execFileSync(bench, ['-m', modelPath, '-t', String(llama.cpuMathCores), '-p', String(nTokens), '-n', '0', '-r', '1', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const row = JSON.parse(out)[0];
    (results['llama-bench pp'] ??= []).push(Math.round(row.avg_ts));
    const outFa = execFileSync(bench, ['-m', modelPath, '-t', String(llama.cpuMathCores), '-p', String(nTokens), '-n', '0', '-r', '1', '-fa', '1', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    (results['llama-bench pp, fa'] ??= []).push(Math.round(JSON.parse(outFa)[0].avg_ts));
  }
  console.log(JSON.stringify({ model: path.basename(modelPath), tokens: tokens.length, threads: llama.cpuMathCores, tps: results }, null, 1));
  await model.dispose();
}
main().catch((e) => { console.error(e); process.exit(1); });
