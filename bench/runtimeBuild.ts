/**
 * Is node-llama-cpp built from its bundled llama.cpp source on this machine faster than its
 * prebuilt CPU library? (issue 12, point 3)
 *
 * Side by side in one run, for the 0.5B-shape bench model in F16 and Q8_0, with 1 and 2 threads:
 *   - prebuilt:     node-llama-cpp from this project's node_modules (its prebuilt binaries);
 *   - source build: a copy of node-llama-cpp whose `source build` ran outside node_modules
 *                   (`--source-build <dir>`: the folder holding node_modules/node-llama-cpp);
 *   - llama-bench:  raw llama.cpp from the same source (bench/llamaServer.ts's build) as reference.
 * Prompt rate (pp): 512 tokens in one evaluation (batch 512, like llama-bench -p 512 -ub 512).
 * Generation rate (tg): greedy tokens after the first ÷ their time (llama-bench -n 64).
 * Each round runs every side once per model, in a rotated order, each node-llama-cpp side in its
 * own process (one libuv pool thread, as the worker runs); the table shows medians with the range,
 * and the load average is printed beside it because the machine is shared.
 *
 * `--runtime <label>=<folder>` adds any other node-llama-cpp copy, e.g. the prebuilt with only its
 * CPU backend rebuilt here (bench/runtimeBuildVariants.sh), which isolates the backend's build.
 *
 * Findings on this machine (AMD EPYC, Zen 5, 2 cores; bench/results/runtime-build*.md): no win for
 * the default model, so Sovereign ships no "build the runtime" command. The Q8_0 prompt rate of the
 * source-built CPU library is 1.01x the prebuilt's at 2 threads (0.82-1.02x at 1 thread); the F16
 * prompt rate is 2.0-2.3x, and all of that gap is one file's compiler: the prebuilt (Ubuntu 22.04, GCC 11.4)
 * compiles llamafile's F16 tinyBLAS kernel (ggml-cpu/llamafile/sgemm.cpp) to half the speed of
 * GCC 12 with the very same zen4 flags (swapping that one object moves the rate from 174 to 84 t/s,
 * the prebuilt's 85). Neither -march=native nor OpenMP is the difference; OpenMP (what a default
 * `source build` turns on, the prebuilt does not) made 2 threads collapse further at load 8-15.
 *
 * Q8_0 model: `--q8 <gguf>`; by default a copy of the F16 model quantized by bench/q8Copy.py
 * (llama.cpp's gguf-py, bit-exact with ggml's Q8_0) into the OS temp folder on first use.
 *
 * `npx tsx bench/runtimeBuild.ts [--source-build /tmp/nlc] [--rounds 3] [--threads 1,2]
 *  [--runtime <label>=<folder>]... [--models F16,Q8_0] [--model <f16.gguf>] [--q8 <q8_0.gguf>] [--pp 512] [--tg 64] [--out runtime-build]`
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArgvReader } from './argv';
import { cacheDir, ensureLlamaServer, findBundle } from './llamaServer';
import { p50, round } from './stats';

interface Options {
  /** Extra node-llama-cpp copies to measure beside the prebuilt: label → folder holding node_modules/node-llama-cpp. */
  runtimes: Map<string, string>;
  rounds: number;
  threads: number[];
  model: string;
  q8?: string;
  pp: number;
  tg: number;
  /** Which of F16 and Q8_0 to measure. */
  models: string[];
  /** Results go to bench/results/<out>.json and .md. */
  out: string;
  child?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    runtimes: new Map(),
    rounds: 3,
    threads: [1, 2],
    model: path.join(cacheDir(), 'models', 'bench-qwen2.5-coder-0.5b-f16.gguf'),
    pp: 512,
    tg: 64,
    models: ['F16', 'Q8_0'],
    out: 'runtime-build',
  };
  const r = new ArgvReader(argv);
  for (let flag = r.next(); flag !== undefined; flag = r.next()) {
    if (flag === '--source-build') o.runtimes.set('source build', path.resolve(r.value()));
    else if (flag === '--runtime') {
      const [label, dir] = r.value().split('=');
      if (!label || !dir) throw new Error('--runtime needs <label>=<folder>');
      o.runtimes.set(label, path.resolve(dir));
    }
    else if (flag === '--rounds') o.rounds = r.number();
    else if (flag === '--threads') o.threads = r.value().split(',').map(Number);
    else if (flag === '--model') o.model = path.resolve(r.value());
    else if (flag === '--q8') o.q8 = path.resolve(r.value());
    else if (flag === '--pp') o.pp = r.number();
    else if (flag === '--tg') o.tg = r.number();
    else if (flag === '--models') o.models = r.value().split(',');
    else if (flag === '--out') o.out = r.value();
    else if (flag === '--child') o.child = r.value();
    else throw new Error(`unknown flag ${flag}`);
  }
  return o;
}

/** What one node-llama-cpp process reports. */
interface ChildReport {
  buildType: string;
  systemInfo: string;
  /** The ggml CPU libraries mapped into the process (the prebuilt picks one variant at run time). */
  cpuLibraries: string[];
  /**
   * pp/tg: tokens per wall-clock second. ppCpu/tgCpu: tokens per CPU-second the process used (all its
   * threads): on a shared machine the wall clock counts other processes' time slices, CPU time does
   * not, so at 1 thread it compares the kernels' work even under load (at 2 threads it also counts
   * time spent spinning at barriers).
   */
  rates: { threads: number; pp: number; tg: number; ppCpu?: number; tgCpu?: number }[];
}

type NodeLlamaCpp = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

/** In a child process: load node-llama-cpp from `packageDir` ('' = this project's), measure, print one JSON line. */
async function child(packageDir: string, o: Options, modelPath: string): Promise<void> {
  const nlc = (packageDir
    ? await import(pathToFileURL(path.join(packageDir, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')).href)
    : await import('node-llama-cpp')) as NodeLlamaCpp;
  const llama = await nlc.getLlama({ gpu: false, build: 'never', logLevel: nlc.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });
  const text = 'function add(a, b) { return a + b; }\nconst x = [1, 2, 3].map((v) => v * 2);\n'.repeat(200);
  const tokens = model.tokenize(text).slice(0, o.pp);
  const rates: ChildReport['rates'] = [];
  for (const threads of o.threads) {
    const context = await model.createContext({ contextSize: 2048, batchSize: o.pp, threads, sequences: 1 });
    const seq = context.getSequence();
    await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(0, 16)); // pages the weights in, builds the graph
    await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
    const c0 = process.cpuUsage();
    const p0 = performance.now();
    await seq.evaluateWithoutGeneratingNewTokens(tokens);
    const pp = (tokens.length / (performance.now() - p0)) * 1000;
    const ppCpu = tokens.length / cpuSeconds(process.cpuUsage(c0));
    await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
    const prompt = model.tokenize('export function probe(a, b) {\n  return ');
    await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
    let n = 0;
    let first = 0;
    let last = 0;
    let c1 = process.cpuUsage();
    for await (const _token of seq.evaluate(prompt.slice(-1), { temperature: 0 })) {
      last = performance.now();
      if (!first) {
        first = last;
        c1 = process.cpuUsage();
      }
      if (++n >= o.tg) break;
    }
    const tgCpu = (n - 1) / cpuSeconds(process.cpuUsage(c1));
    rates.push({ threads, pp, tg: ((n - 1) / (last - first)) * 1000, ppCpu, tgCpu });
    await context.dispose();
  }
  const maps = fs.readFileSync('/proc/self/maps', 'utf8');
  const cpuLibraries = [...new Set([...maps.matchAll(/\S*libggml-cpu[^\s]*\.so\S*|\S*libggml-base\S*\.so\S*/g)].map((m) => m[0]))];
  const report: ChildReport = { buildType: llama.buildType, systemInfo: llama.systemInfo, cpuLibraries, rates };
  process.stdout.write(`RESULT ${JSON.stringify(report)}\n`);
  await model.dispose();
  await llama.dispose();
}

function runChild(packageDir: string, o: Options, modelPath: string): ChildReport {
  const args = [...process.execArgv, __filename, '--child', packageDir || '-', '--model', modelPath, '--threads', o.threads.join(','), '--pp', String(o.pp), '--tg', String(o.tg)];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    // As the worker runs (src/runtime/workerEnv.ts): one pool thread, so one OpenMP team.
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result from the ${packageDir || 'prebuilt'} child:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as ChildReport;
}

interface BenchRow {
  n_threads: number;
  n_prompt: number;
  n_gen: number;
  avg_ts: number;
  cpu_info?: string;
  backends?: string;
  build_commit?: string;
}

function llamaBench(bench: string, o: Options, modelPath: string): ChildReport {
  const args = ['-m', modelPath, '-t', o.threads.join(','), '-p', String(o.pp), '-n', String(o.tg), '-b', String(o.pp), '-ub', String(o.pp), '-r', '1', '-o', 'json'];
  const rows = JSON.parse(execFileSync(bench, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 << 20 })) as BenchRow[];
  const rates = o.threads.map((threads) => {
    const pp = rows.find((r) => r.n_threads === threads && r.n_prompt === o.pp && r.n_gen === 0);
    const tg = rows.find((r) => r.n_threads === threads && r.n_prompt === 0 && r.n_gen === o.tg);
    if (!pp || !tg) throw new Error(`llama-bench ${args.join(' ')}: missing rows`);
    return { threads, pp: pp.avg_ts, tg: tg.avg_ts };
  });
  return { buildType: 'llama-bench', systemInfo: `${rows[0]?.cpu_info ?? ''} ${rows[0]?.backends ?? ''} commit ${rows[0]?.build_commit ?? ''}`.trim(), cpuLibraries: [], rates };
}

/** The F16 model's Q8_0 copy, made once with llama.cpp's gguf-py from the bundled source. */
function ensureQ8(o: Options): string {
  const out = o.q8 ?? path.join(os.tmpdir(), 'sovereign-bench', path.basename(o.model).replace(/f16\.gguf$/i, 'q8_0.gguf'));
  if (fs.existsSync(out)) return out;
  if (out === o.model) throw new Error('pass --q8 <path>: cannot name a Q8_0 copy of a model not named *f16.gguf');
  const ggufPy = findGgufPy(o);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  console.error(`[runtimeBuild] quantizing ${path.basename(o.model)} to Q8_0 with ${ggufPy}`);
  execFileSync('python3', [path.join(__dirname, 'q8Copy.py'), o.model, tmp], { env: { ...process.env, PYTHONPATH: ggufPy }, stdio: 'inherit' });
  fs.renameSync(tmp, out);
  return out;
}

/** gguf-py from the source build's llama.cpp checkout, else extracted from the bundle node-llama-cpp ships. */
function findGgufPy(o: Options): string {
  for (const dir of o.runtimes.values()) {
    const p = path.join(dir, 'node_modules', 'node-llama-cpp', 'llama', 'llama.cpp', 'gguf-py');
    if (fs.existsSync(p)) return p;
  }
  const bundle = findBundle();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gguf-py-'));
  execFileSync('git', ['clone', '--quiet', '--depth', '1', bundle, dir], { stdio: 'inherit' });
  return path.join(dir, 'gguf-py');
}

/** What the source build was configured with (its CMake cache), for the note on the gap. */
function sourceBuildFlags(sourceBuild: string): Record<string, string> {
  const builds = path.join(sourceBuild, 'node_modules', 'node-llama-cpp', 'llama', 'localBuilds');
  const flags: Record<string, string> = {};
  if (!fs.existsSync(builds)) return flags;
  for (const dir of fs.readdirSync(builds)) {
    const cache = path.join(builds, dir, 'CMakeCache.txt');
    if (!fs.existsSync(cache)) continue;
    for (const line of fs.readFileSync(cache, 'utf8').split('\n')) {
      const m = /^(GGML_[A-Z0-9_]+|CMAKE_BUILD_TYPE|CMAKE_C_COMPILER|CMAKE_CXX_FLAGS_RELEASE):[A-Z]+=(.*)$/.exec(line);
      if (m && m[2] !== '' && m[2] !== 'OFF') flags[`${dir}/${m[1]}`] = m[2];
    }
  }
  return flags;
}

type Side = string; // 'prebuilt', a --runtime label, 'llama-bench'
type Samples = Record<string, { pp: number[]; tg: number[]; ppCpu: number[]; tgCpu: number[] }>; // key: `${side}|${model}|${threads}`

const key = (side: Side, model: string, threads: number) => `${side}|${model}|${threads}`;

function rangeText(xs: number[]): string {
  if (xs.length === 0) return '–';
  const med = p50(xs);
  return `${round(med, 1)} (${round(Math.min(...xs), 1)}–${round(Math.max(...xs), 1)})`;
}

function markdown(o: Options, models: Record<string, string>, sides: Side[], samples: Samples, loads: number[][]): string {
  const others = sides.filter((s) => s !== 'prebuilt' && s !== 'llama-bench');
  const ratioHeads = [...others.map((s) => `${s} ÷ prebuilt`), 'prebuilt ÷ llama-bench'];
  const lines = [
    `| model | threads | rate | ${sides.map((s) => `${s} t/s`).join(' | ')} | ${ratioHeads.join(' | ')} |`,
    `|---|---|---|${[...sides, ...ratioHeads].map(() => '---').join('|')}|`,
  ];
  for (const model of Object.keys(models)) {
    for (const threads of o.threads) {
      for (const rate of ['pp', 'tg', 'ppCpu', 'tgCpu'] as const) {
        if (rate.endsWith('Cpu') && threads !== 1) continue; // spinning at barriers makes 2-thread CPU time meaningless
        const xs = (s: Side) => samples[key(s, model, threads)]?.[rate] ?? [];
        const ratio = (a: Side, b: Side) => (xs(a).length && xs(b).length ? String(round(p50(xs(a)) / p50(xs(b)), 2)) : '–');
        const label = { pp: `pp${o.pp}`, tg: `tg${o.tg}`, ppCpu: `pp${o.pp} per CPU-s`, tgCpu: `tg${o.tg} per CPU-s` }[rate];
        const cells = [...sides.map((s) => rangeText(xs(s))), ...others.map((s) => ratio(s, 'prebuilt')), ratio('prebuilt', 'llama-bench')];
        lines.push(`| ${model} | ${threads} | ${label} | ${cells.join(' | ')} |`);
      }
    }
  }
  const la = loads.map((l) => l.map((x) => x.toFixed(2)).join('/')).join(' → ');
  lines.push('', `Medians of ${o.rounds} rounds (min–max), tokens/s; "per CPU-s" = tokens per CPU-second of the process (node-llama-cpp sides, 1 thread). Load average (1/5/15 min) at the start of each round and at the end: ${la} on ${os.cpus().length} cores.`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.child !== undefined) return child(o.child === '-' ? '' : o.child, o, o.model);
  const models: Record<string, string> = {};
  if (o.models.includes('F16')) models.F16 = o.model;
  if (o.models.includes('Q8_0')) models.Q8_0 = ensureQ8(o);
  const sides: Side[] = ['prebuilt', ...o.runtimes.keys(), 'llama-bench'];
  if (o.runtimes.size === 0) console.error('[runtimeBuild] no --source-build / --runtime: measuring the prebuilt and llama-bench only');
  const { bench } = await ensureLlamaServer();
  const samples: Samples = {};
  const info: Record<Side, Omit<ChildReport, 'rates'>> = {};
  const loads: number[][] = [];
  for (let r = 0; r < o.rounds; r++) {
    loads.push(os.loadavg());
    for (const [name, file] of Object.entries(models)) {
      const order = sides.map((_, i) => sides[(i + r) % sides.length]);
      for (const side of order) {
        const rep = side === 'llama-bench' ? llamaBench(bench, o, file) : runChild(side === 'prebuilt' ? '' : o.runtimes.get(side)!, o, file);
        info[side] = { buildType: rep.buildType, systemInfo: rep.systemInfo, cpuLibraries: rep.cpuLibraries };
        for (const x of rep.rates) {
          const s = (samples[key(side, name, x.threads)] ??= { pp: [], tg: [], ppCpu: [], tgCpu: [] });
          s.pp.push(x.pp);
          s.tg.push(x.tg);
          if (x.ppCpu !== undefined) s.ppCpu.push(x.ppCpu);
          if (x.tgCpu !== undefined) s.tgCpu.push(x.tgCpu);
        }
        console.error(`[runtimeBuild] round ${r + 1} ${name} ${side}: ${rep.rates.map((x) => `t${x.threads} pp ${x.pp.toFixed(1)} tg ${x.tg.toFixed(1)}`).join(', ')}`);
      }
    }
  }
  loads.push(os.loadavg());
  const table = markdown(o, models, sides, samples, loads);
  const runtimes = Object.fromEntries(
    Object.entries(info).map(([side, x]) => [side, { ...x, folder: o.runtimes.get(side), cmake_flags: o.runtimes.has(side) ? sourceBuildFlags(o.runtimes.get(side)!) : undefined }]),
  );
  const result = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    load_average: loads,
    options: { rounds: o.rounds, threads: o.threads, pp: o.pp, tg: o.tg, models, runtimes: Object.fromEntries(o.runtimes) },
    runtimes,
    samples_tps: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([r, xs]) => [r, xs.map((x) => round(x, 1))]))])),
    median_tps: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([r, xs]) => [r, round(p50(xs), 1)]))])),
    table,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${o.out}.json`), `${JSON.stringify(result, null, 1)}\n`);
  const described = Object.entries(info).map(([side, x]) => `- ${side}: ${x.buildType}; ${x.systemInfo}${x.cpuLibraries.length ? `; loaded ${x.cpuLibraries.map((l) => path.basename(l)).join(', ')}` : ''}`);
  fs.writeFileSync(path.join(dir, `${o.out}.md`), `${described.join('\n')}\n\n${table}\n`);
  console.log(`${described.join('\n')}\n\n${table}\n\nwritten: bench/results/${o.out}.json, bench/results/${o.out}.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
