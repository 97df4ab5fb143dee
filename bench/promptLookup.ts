/**
 * bench:prompt-lookup — what prompt lookup (sovereign.completion.promptLookup) costs when its drafts
 * miss and what it gains when they hit. A benchmark, not a test.
 *
 *   npm run bench:prompt-lookup -- [--model <gguf>] [--threads N] [--positions N] [--reps N] [--tokens N] [--files <paths…>]
 *                                  [--parts miss hit oracle]
 *
 * - miss: the benchmark model (random weights: it never repeats its prompt, so every draft is
 *   refuted) completes at cursor positions of real files, through two workers on the same model,
 *   one with prompt lookup and one without. Each position is evaluated once per side first (both
 *   caches then hold it), then completed --reps times per side, the order alternating (A-B, B-A, …)
 *   so that load from other work on the machine falls on both sides alike; ratios are paired per
 *   completion and their medians reported.
 * - hit: fim-qwen2 (a small random model) completes prompts that contain its own greedy
 *   continuation (built as in test/engine/promptLookup.test.ts), through the same two workers'
 *   code path. The 0.5B-shape model's continuation changes with every change of its prompt, so
 *   no such prompt could be built for it; for it:
 * - oracle: the benchmark model generates its own greedy continuation with drafts that are that
 *   continuation (what the lookup drafts on a hit), with FimCompleter's verification steps through
 *   node-llama-cpp directly: the ceiling of the gain at this model's compute cost; and with
 *   6 wrong drafts at every step: the floor of a miss (on real code the random model drafts
 *   rarely, so the miss part mostly measures the predictor's own overhead).
 *
 * Writes bench/results/promptLookup.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ensureTestModels, testModelPath } from '../scripts/models/testModels';
import type { RuntimeClient } from '../src/runtime/client';
import type { CompletionParams, CompletionResult } from '../src/runtime/protocol';
import type { Token } from '../src/runtime/worker/nodeLlamaCpp';
import { ArgvReader } from './argv';
import { DEFAULT_FILES, repo } from './completion/args';
import { rng } from './replay';
import { p50, round } from './stats';
import { workerRuntime } from './workerRuntime';

interface Args {
  model?: string;
  threads: number;
  positions: number;
  reps: number;
  tokens: number;
  files: string[];
  parts: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { threads: 2, positions: 6, reps: 2, tokens: 32, files: [], parts: ['miss', 'hit', 'oracle'] };
  const r = new ArgvReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--model') args.model = r.value();
    else if (a === '--threads') args.threads = r.number();
    else if (a === '--positions') args.positions = r.number();
    else if (a === '--reps') args.reps = r.number();
    else if (a === '--tokens') args.tokens = r.number();
    else if (a === '--files') args.files.push(...r.list());
    else if (a === '--parts') args.parts = r.list();
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.files.length === 0) args.files = DEFAULT_FILES.map((f) => join(repo, f));
  return args;
}

const log = (m: string) => process.stderr.write(`[bench:prompt-lookup] ${m}\n`);

/** Generated tokens a second after the first (the first waits on the prompt's last token). */
const genRate = (r: CompletionResult) => (r.stats.generatedTokens - 1) / (r.stats.generateMs / 1000);

interface Sample {
  plainMs: number;
  lookupMs: number;
  plainTps: number;
  lookupTps: number;
  drafted: number;
  accepted: number;
}

/** One completion per side, in the given order; the texts must agree (greedy). */
async function pair(plain: RuntimeClient, lookup: RuntimeClient, params: CompletionParams, lookupFirst: boolean): Promise<Sample> {
  const run = (rt: RuntimeClient) => rt.complete(params);
  const [a, b] = lookupFirst ? [await run(lookup), await run(plain)] : [await run(plain), await run(lookup)];
  const [withLookup, without] = lookupFirst ? [a, b] : [b, a];
  if (withLookup.text !== without.text) throw new Error('prompt lookup changed a greedy completion');
  return {
    plainMs: without.stats.totalMs,
    lookupMs: withLookup.stats.totalMs,
    plainTps: genRate(without),
    lookupTps: genRate(withLookup),
    drafted: withLookup.stats.draftedTokens ?? 0,
    accepted: withLookup.stats.acceptedTokens ?? 0,
  };
}

function summary(samples: Sample[]): Record<string, unknown> {
  const median = (f: (s: Sample) => number, digits = 1) => round(p50(samples.map(f)), digits);
  return {
    completions_per_side: samples.length,
    time_to_suggestion_ms: { without: median((s) => s.plainMs), with: median((s) => s.lookupMs), ratio_p50: median((s) => s.lookupMs / s.plainMs, 3) },
    generation_tps: { without: median((s) => s.plainTps, 2), with: median((s) => s.lookupTps, 2), ratio_p50: median((s) => s.lookupTps / s.plainTps, 3) },
    drafted_tokens: samples.reduce((n, s) => n + s.drafted, 0),
    accepted_tokens: samples.reduce((n, s) => n + s.accepted, 0),
  };
}

/** Cursor positions at line starts in the second half of the files, seeded. */
function positions(files: string[], count: number, tokens: number): CompletionParams[] {
  const random = rng(20240611);
  const texts = files.map((f) => readFileSync(f, 'utf8'));
  const out: CompletionParams[] = [];
  for (let i = 0; i < count; i++) {
    const text = texts[i % texts.length];
    const lineStarts = [...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1).filter((p) => p > text.length / 2);
    const at = lineStarts[Math.floor(random() * lineStarts.length)];
    out.push({ prefix: text.slice(0, at), suffix: text.slice(at), maxTokens: tokens, maxPrefixTokens: 1024, maxSuffixTokens: 256 });
  }
  return out;
}

async function missCost(args: Args, model: string): Promise<Record<string, unknown>> {
  const plain = workerRuntime({ completion: model }, { contextSize: 4096, threads: args.threads });
  const lookup = workerRuntime({ completion: model }, { contextSize: 4096, threads: args.threads, promptLookup: true });
  try {
    const samples: Sample[] = [];
    for (const [i, params] of positions(args.files, args.positions, args.tokens).entries()) {
      // Both caches hold the prompt: the pairs measure the generation, where the drafts are.
      await plain.complete({ ...params, maxTokens: 0 });
      await lookup.complete({ ...params, maxTokens: 0 });
      for (let rep = 0; rep < args.reps; rep++) samples.push(await pair(plain, lookup, params, (i + rep) % 2 === 1));
      log(`miss: position ${i + 1}/${args.positions}: ${JSON.stringify(samples.at(-1))}`);
    }
    return summary(samples);
  } finally {
    await plain.shutdown();
    await lookup.shutdown();
  }
}

const hitSuffix = '\n\n\ndef main():\n    print(read_config("a.toml"))\n';
const hitHead = (name: string) => `import os\n\ndef ${name}(path):\n    with open(path) as f:\n        `;

async function hitGain(args: Args): Promise<Record<string, unknown>> {
  const model = testModelPath('fim-qwen2');
  const plain = workerRuntime({ completion: model }, { contextSize: 2048, threads: args.threads });
  const lookup = workerRuntime({ completion: model }, { contextSize: 2048, threads: args.threads, promptLookup: true });
  const params = (prefix: string): CompletionParams => ({ prefix, suffix: hitSuffix, maxTokens: 16, maxPrefixTokens: 1024, maxSuffixTokens: 256 });
  try {
    const samples: Sample[] = [];
    for (const [i, name] of ['read_config', 'load', 'parse_file', 'open_db', 'fetch', 'run'].entries()) {
      let text = (await plain.complete(params(hitHead(name)))).text;
      let prefix: string | undefined;
      for (let round = 0; round < 40 && !prefix; round++) {
        const next = (await plain.complete(params(`${text}\n${hitHead(name)}`))).text;
        if (next === text) prefix = `${text}\n${hitHead(name)}`;
        text = next;
      }
      if (!prefix) continue;
      for (let rep = 0; rep < args.reps * 2; rep++) samples.push(await pair(plain, lookup, params(prefix), (i + rep) % 2 === 1));
    }
    return { model: 'fim-qwen2', ...summary(samples) };
  } finally {
    await plain.shutdown();
    await lookup.shutdown();
  }
}

/**
 * The bench model generating its own greedy continuation, in this process, the way FimCompleter's
 * prompt lookup does (controlledEvaluate of the pending token and up to 6 drafts, erase the
 * refuted ones): with drafts that are that continuation (a hit at every step) and with 6 wrong
 * drafts at every step (a miss at every step), against plain one-token steps.
 */
async function oracle(args: Args, model: string): Promise<Record<string, unknown>> {
  const nlc = await import('node-llama-cpp');
  const llama = await nlc.getLlama({ build: 'never', gpu: false });
  const m = await llama.loadModel({ modelPath: model });
  const infill = m.tokens.infill;
  const [wrongA, wrongB] = [m.tokenize(' the', false)[0], m.tokenize(' of', false)[0]];
  const next = { generateNext: { token: true, options: { temperature: 0 } } };
  const generate = async (prompt: Token[], drafts?: (done: number) => Token[]) => {
    const context = await m.createContext({ contextSize: 2048, threads: args.threads, sequences: 1 });
    const sequence = context.getSequence();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
    const out: Token[] = [];
    let pending = prompt[prompt.length - 1];
    const start = performance.now();
    while (out.length < args.tokens) {
      const draft = drafts?.(out.length) ?? [];
      const at = sequence.nextTokenIndex;
      const res = await sequence.controlledEvaluate([pending, ...draft].map((t): [Token, typeof next] => [t, next]));
      let i = 0;
      for (; i <= draft.length; i++) {
        const token = res[i]?.next.token as Token;
        out.push(token);
        if (i === draft.length || draft[i] !== token) break;
      }
      if (i < draft.length) await sequence.eraseContextTokenRanges([{ start: at + 1 + i, end: sequence.nextTokenIndex }]);
      pending = out[out.length - 1];
    }
    const ms = performance.now() - start;
    await context.dispose();
    return { out: out.slice(0, args.tokens), ms };
  };
  const samples: { plainTps: number; oracleTps: number; wrongTps: number }[] = [];
  try {
    for (const [i, params] of positions(args.files, Math.min(args.positions, 3), args.tokens).entries()) {
      const prompt = [infill.prefix!, ...m.tokenize(params.prefix.slice(-1500), false), infill.suffix!, ...m.tokenize(params.suffix.slice(0, 400), false), infill.middle!];
      const continuation = (await generate(prompt)).out;
      const right = (done: number) => continuation.slice(done, done + 6);
      const wrong = (done: number) => right(done).map((t) => (t === wrongA ? wrongB : wrongA));
      for (let rep = 0; rep < args.reps; rep++) {
        const runs = (i + rep) % 2 === 0 ? ['plain', 'oracle', 'wrong'] : ['wrong', 'oracle', 'plain'];
        const ms: Record<string, number> = {};
        for (const kind of runs) {
          const r = await generate(prompt, kind === 'plain' ? undefined : kind === 'oracle' ? right : wrong);
          if (r.out.join() !== continuation.join()) throw new Error(`${kind} drafts changed the greedy continuation`);
          ms[kind] = r.ms;
        }
        const tps = (kind: string) => continuation.length / (ms[kind] / 1000);
        samples.push({ plainTps: tps('plain'), oracleTps: tps('oracle'), wrongTps: tps('wrong') });
        log(`oracle: ${JSON.stringify(samples.at(-1))}`);
      }
    }
  } finally {
    await m.dispose();
  }
  return {
    generation_tps: {
      without: round(p50(samples.map((s) => s.plainTps)), 2),
      with_right_drafts: round(p50(samples.map((s) => s.oracleTps)), 2),
      with_wrong_drafts: round(p50(samples.map((s) => s.wrongTps)), 2),
      ratio_right_p50: round(p50(samples.map((s) => s.oracleTps / s.plainTps)), 3),
      ratio_wrong_p50: round(p50(samples.map((s) => s.wrongTps / s.plainTps)), 3),
    },
    runs_per_side: samples.length,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await ensureTestModels({ bench: true });
  const model = args.model ? resolve(args.model) : testModelPath('bench-qwen2.5-coder-0.5b-f16');
  const loadStart = loadavg();
  log(`miss cost: ${relative(repo, model)}, ${args.positions} positions × ${args.reps} reps, ${args.tokens} tokens, ${args.threads} threads`);
  const miss = args.parts.includes('miss') ? await missCost(args, model) : undefined;
  log(`miss: ${JSON.stringify(miss)}`);
  const hit = args.parts.includes('hit') ? await hitGain(args) : undefined;
  log(`hit: ${JSON.stringify(hit)}`);
  const ceiling = args.parts.includes('oracle') ? await oracle(args, model) : undefined;
  const results = {
    command: `npm run bench:prompt-lookup${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    date: new Date().toISOString(),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), shared with other work`,
    load_average_1_5_15: { start: loadStart.map((x) => round(x, 2)), end: loadavg().map((x) => round(x, 2)) },
    model,
    threads: args.threads,
    notes: [
      'Sides alternate per completion (A-B, B-A, …) and ratios are paired per completion, then medians: load from other work falls on both sides alike.',
      'time_to_suggestion_ms is the worker\'s totalMs for a prompt already in the KV cache (its last token evaluated again, then --tokens generated).',
      'Every pair is checked: the greedy text with prompt lookup equals the text without.',
    ],
    miss,
    hit,
    oracle: ceiling && { model, ...ceiling },
  };
  const dir = join(repo, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `promptLookup${args.parts.length < 3 ? '-' + args.parts.join('-') : ''}.json`), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify({ miss, hit, oracle: ceiling }, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
