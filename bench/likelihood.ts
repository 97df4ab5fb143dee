/**
 * bench:likelihood — how probable a model finds what the user really typed next, after Sovereign's
 * prompt (at the peer's bounds, at its defaults, with extra context) and after llama.vscode's,
 * and what Sovereign's greedy suggestion was worth. A benchmark, not a test; bench/quality/likelihood.ts says how.
 *
 *   npm run bench:likelihood -- [--model <gguf>] [--files <paths…>] [--max-cases N] [--seed N]
 *                               [--ctx N] [--threads N] [--batch N] [--gpu auto|off|cuda|vulkan|metal]
 *                               [--time-budget-ms N] [--prompt-budget-ms N]
 *
 * Cases are the wait points of the completion bench's seeded replay (bench/replay.ts) over the
 * files (default: the completion bench's, real code from pinned npm packages), at most
 * --max-cases of them (default 8), spread over the files. --time-budget-ms and --prompt-budget-ms
 * replace those two defaults (0 = off: the token bounds as configured, extra context included).
 * Otherwise the prompt budget sizes Sovereign's prompts from this machine's measured speed: on a
 * slow CPU it leaves extra context no room at all. The model runs in this process (no
 * worker, no build needed). Writes bench/results/likelihood.json and likelihood.md.
 *
 * With a random-weight model (the generated test models) the numbers mean nothing; the run says
 * so. The day a trained FIM model lands in ../shared/models, `--model` it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { TEST_MODELS, testModelPath } from '../scripts/models/testModels';
import type { CompletionSettings } from '../src/config/completionSettings';
import type { GpuSetting } from '../src/runtime/protocol';
import { likelihoodCases, spreadCases } from './quality/likelihoodCases';
import { openLikelihoodSession, scoreLikelihood, type SovereignSetup } from './quality/likelihood';
import { likelihoodMarkdown, likelihoodSummary, type LikelihoodResults } from './quality/likelihoodReport';
import type { PeerBounds } from './quality/likelihoodPeerPrompt';
import type { SourceFile } from './replay';
import { ArgvReader } from './argv';
// The completion bench's files: real code no one here wrote.
import { DEFAULT_FILES } from './completion/args';

const repo = resolve(__dirname, '..');
const resultsDir = join(repo, 'bench', 'results');

interface Args {
  model: string;
  files: string[];
  maxCases: number;
  seed: number;
  ctx: number;
  threads: number;
  batch: number;
  gpu: GpuSetting;
  timeBudgetMs?: number;
  promptBudgetMs?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { model: testModelPath('bench-qwen2.5-coder-0.5b-f16'), files: [], maxCases: 8, seed: 20240611, ctx: 4096, threads: 2, batch: 1024, gpu: 'auto' };
  const r = new ArgvReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--files') args.files.push(...r.list());
    else if (a === '--model') args.model = resolve(r.value());
    else if (a === '--max-cases') args.maxCases = r.number();
    else if (a === '--seed') args.seed = r.number();
    else if (a === '--ctx') args.ctx = r.number();
    else if (a === '--threads') args.threads = r.number();
    else if (a === '--batch') args.batch = r.number();
    else if (a === '--gpu') args.gpu = r.value() as GpuSetting;
    else if (a === '--time-budget-ms') args.timeBudgetMs = r.number();
    else if (a === '--prompt-budget-ms') args.promptBudgetMs = r.number();
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.files.length === 0) args.files = DEFAULT_FILES.map((f) => join(repo, f));
  return args;
}

interface PackageJson {
  contributes: { configuration: { properties: Record<string, { default: unknown }> } };
}

/** Sovereign as shipped: the defaults declared once, in package.json. */
function sovereignDefaults(args: Args): SovereignSetup {
  const props = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as PackageJson).contributes.configuration.properties;
  const d = (key: string) => props[`sovereign.completion.${key}`].default as number;
  const settings: CompletionSettings = {
    maxTokens: d('maxTokens'),
    maxLines: d('maxLines'),
    timeBudgetMs: args.timeBudgetMs ?? d('timeBudgetMs'),
    maxPrefixTokens: d('maxPrefixTokens'),
    maxSuffixTokens: d('maxSuffixTokens'),
    maxExtraTokens: 0,
    promptBudgetMs: args.promptBudgetMs ?? d('promptBudgetMs'),
    debounceMinMs: 0,
    debounceMaxMs: 0,
    speculate: false,
  };
  return { settings, window: { prefixLines: d('prefixLines'), suffixLines: d('suffixLines'), maxPrefixTokens: settings.maxPrefixTokens, maxSuffixTokens: settings.maxSuffixTokens } };
}

function pkgVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const log = (line: string) => process.stderr.write(`[likelihood] ${line}\n`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const command = `npm run bench:likelihood${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  const randomWeights = TEST_MODELS.some((m) => m.file === basename(args.model));
  const warning = randomWeights
    ? `${basename(args.model)} is a generated RANDOM-WEIGHT test model: these numbers MEAN NOTHING about prompt quality. They show that the bench runs; run it with a trained FIM model (--model).`
    : 'Likelihoods compare prompts for THIS model only; with a random-weight model they would mean nothing.';
  if (randomWeights) log(`WARNING: ${warning}`);

  const files: SourceFile[] = args.files.map((f) => {
    const path = resolve(f);
    return { path, rel: relative(repo, path), text: readFileSync(path, 'utf8') };
  });
  const all = await likelihoodCases(files, args.seed);
  const cases = spreadCases(all, args.maxCases);
  log(`${all.length} wait points in ${files.length} files, scoring ${cases.length}`);

  const peer: PeerBounds = { nPrefixLines: 256, nSuffixLines: 64, nBatch: args.batch };
  const defaults = sovereignDefaults(args);
  const started = performance.now();
  const session = await openLikelihoodSession(args.model, { contextSize: args.ctx, threads: args.threads, gpu: args.gpu });
  log(`loaded ${basename(args.model)} (${session.format.family}, ${session.gpu}, ${session.threads} threads), prompt speed ${Math.round(session.promptTokensPerSecond ?? 0)} tokens/s`);
  const meta = session.model.fileInfo.metadata.general;
  const contextSize = session.context.contextSize;
  let scores;
  try {
    scores = await scoreLikelihood(session, cases, { peer, defaults, repoName: 'workspace', files }, (s, i) => {
      const p = s.prompts;
      log(`${i + 1}/${cases.length} ${s.file}: log p/char peer ${p.llama_vscode.logProbPerChar.toFixed(3)}, equal ${p.sovereign_equal.logProbPerChar.toFixed(3)}, defaults ${p.sovereign_defaults.logProbPerChar.toFixed(3)}, + extra ${p.sovereign_extra.logProbPerChar.toFixed(3)}`);
    });
  } finally {
    await session.dispose();
  }
  const results: LikelihoodResults = {
    warning,
    random_weights: randomWeights,
    command,
    date: new Date().toISOString(),
    machine: {
      description: `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()} ${arch()}, backend ${session.gpu}`,
      threads: session.threads,
      prompt_tokens_per_second: session.promptTokensPerSecond && Math.round(session.promptTokensPerSecond),
    },
    versions: { 'node-llama-cpp': pkgVersion('node-llama-cpp'), node: process.version, 'vscode-jsonrpc': pkgVersion('vscode-jsonrpc'), semver: pkgVersion('semver'), '@types/node': pkgVersion('@types/node') },
    model: { file: basename(args.model), bytes: statSync(args.model).size, name: meta?.name, architecture: meta?.architecture, fim: session.format.family, context: contextSize },
    summary: likelihoodSummary(scores),
    seconds: Math.round((performance.now() - started) / 1000),
    files: files.map((f) => ({ path: f.rel, sha256: createHash('sha256').update(f.text).digest('hex').slice(0, 16) })),
    replay: { seed: args.seed, wait_points: all.length, cases: cases.length },
    peer_bounds: { ...peer, note: 'llama.vscode n_prefix/n_suffix lines; llama-server -b (prefix ≤ 3·(b/4), suffix ≤ b/4 − 2 − prompt tokens); no extra context' },
    sovereign_defaults: defaults,
    notes: [
      'Teacher forcing: node-llama-cpp sequence.evaluateWithMetadata(prompt, { probabilities: true }, { temperature: 0 }), feeding each truth token through the generator\'s next(); p = softmax of the raw logits over the whole vocabulary.',
      'Forced text = what the user typed next (the rest of the replayed region); on a line holding only indentation both sides prompt from column 0, so the indentation is forced too. The same tokens (Sovereign\'s tokenizer, no dummy space) after every prompt.',
      "Sovereign's prompt is FimCompleter.promptFor of the very CompletionParams its CompletionPipeline sends (the worker's code, in this process); its suggestion is that completer's greedy generation with the worker's stops, post-processed by the pipeline.",
      "The peer's prompt is llama.vscode's /infill request turned into tokens as llama.cpp's format_prompt_infill does (bench/quality/likelihoodPeerPrompt.ts); llama.vscode would send no request at all with more than 8 characters right of the cursor, scored here anyway.",
    ],
    cases: scores,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'likelihood.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(resultsDir, 'likelihood.md'), likelihoodMarkdown(results));
  console.log(likelihoodMarkdown(results));
  if (randomWeights) log(`WARNING: ${warning}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
