/**
 * bench:retrieval — how well and how cheaply the codebase index (src/index/) finds code.
 *
 *   npm run bench:retrieval -- [--packages name@x.y.z:dir …] [--cache <dir>] [--k N]
 *                              [--files N] [--seed N] [--skip-scale] [--skip-quality]
 *                              [--embedding-model <gguf>] [--skip-fused]
 *
 * Quality: real code no one here wrote (npm packages that are not Sovereign's dependencies,
 * fetched with `npm pack` at exact versions into --cache, default .cache/bench-packages), one
 * index over all of them; queries derived mechanically (bench/retrieval/docQueries.ts: a
 * function's JSDoc description is the query, the comment blanked in the index, the chunk holding
 * the function's first line the answer). Recall@k and MRR for the lexical ranking, lexical +
 * symbols, a grep baseline over the same chunks, and `fused` (lexical + symbols + the chunks'
 * vectors, RRF) with --embedding-model (default: the fim-deepseek test model, random weights:
 * plumbing only) embedded by the real model worker (dist/worker.js).
 *
 * Scale: a synthetic workspace of --files files (default 10,000) in a temp folder, indexed by the
 * bundled worker thread (dist/indexWorker.js: `npm run bench:retrieval` builds first): full index
 * time, this thread's event-loop lag meanwhile (the extension host's, in the extension), one
 * edited file, query p50/p95, RSS, the serialized size and its reload.
 *
 * Writes bench/results/retrieval.json and retrieval.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { testModelPath } from '../scripts/models/testModels';
import { silentLog } from '../src/common/log';
import { RuntimeClient } from '../src/runtime/client';
import { ArgvReader } from './argv';
import { DEFAULT_PACKAGES, fetchPackage, type PackageSpec } from './retrieval/corpus';
import { docQueries } from './retrieval/docQueries';
import { evaluateQuality, type QualityRun } from './retrieval/quality';
import { retrievalMarkdown, type RetrievalResults } from './retrieval/report';
import { runScale, type ScaleRun } from './retrieval/scale';
import { writeSyntheticWorkspace } from './retrieval/syntheticWorkspace';

const repo = resolve(__dirname, '..');
const resultsDir = join(repo, 'bench', 'results');

interface Args {
  packages: PackageSpec[];
  cache: string;
  k: number;
  files: number;
  seed: number;
  scale: boolean;
  quality: boolean;
  /** Undefined: no fused column. */
  embeddingModel: string | undefined;
}

/** Tokens of a chunk the bench's embedding model sees (the extension's is 2,048): the random test model is slow per token on 2 busy cores. */
const benchEmbeddingContext = 512;

function parseArgs(argv: string[]): Args {
  const testModel = testModelPath('fim-deepseek');
  const args: Args = { packages: DEFAULT_PACKAGES, cache: join(repo, '.cache', 'bench-packages'), k: 5, files: 10_000, seed: 20261206, scale: true, quality: true, embeddingModel: existsSync(testModel) ? testModel : undefined };
  const r = new ArgvReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--packages') args.packages = r.list().map((p) => ({ spec: p.split(':')[0], dir: p.split(':')[1] ?? '.' }));
    else if (a === '--cache') args.cache = resolve(r.value());
    else if (a === '--k') args.k = r.number();
    else if (a === '--files') args.files = r.number();
    else if (a === '--seed') args.seed = r.number();
    else if (a === '--skip-scale') args.scale = false;
    else if (a === '--skip-quality') args.quality = false;
    else if (a === '--embedding-model') args.embeddingModel = resolve(r.value());
    else if (a === '--skip-fused') args.embeddingModel = undefined;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const pkgVersion = (name: string) => (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
const log = (s: string) => console.error(`[retrieval] ${s}`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  let quality: (QualityRun & { packages: { spec: string; integrity: string; files: number; queries: number }[] }) | undefined;
  if (args.quality) {
    mkdirSync(args.cache, { recursive: true });
    const packages = args.packages.map((p) => fetchPackage(p, args.cache, log));
    const files = packages.flatMap((p) => p.files);
    const { queries, indexed } = docQueries(files);
    log(`quality: ${files.length} files, ${queries.length} queries`);
    const embeddingModel = args.embeddingModel;
    const runtime = embeddingModel
      ? new RuntimeClient({
          workerPath: join(repo, 'dist', 'worker.js'),
          log: silentLog,
          idleUnloadMs: () => 0,
          modelFor: (role) => (role === 'embedding' ? { path: embeddingModel, contextSize: benchEmbeddingContext, threads: 2, adaptiveThreads: false, gpu: 'off' } : undefined),
        })
      : undefined;
    let run: QualityRun;
    try {
      const embedder = runtime && embeddingModel ? { model: basename(embeddingModel), embed: async (texts: string[]) => (await runtime.embed(texts)).vectors } : undefined;
      run = await evaluateQuality(indexed, queries, args.k, embedder, (s) => log(`quality: ${s}`));
    } finally {
      await runtime?.shutdown();
    }
    quality = { ...run, packages: packages.map((p) => ({ spec: p.spec, integrity: p.integrity, files: p.files.length, queries: queries.filter((q) => q.path.startsWith(`${p.spec}/`)).length })) };
  }
  let scale: ScaleRun | undefined;
  if (args.scale) {
    const root = mkdtempSync(join(tmpdir(), 'sovereign-retrieval-'));
    try {
      log(`scale: writing ${args.files} files in ${root}`);
      const ws = writeSyntheticWorkspace(join(root, 'workspace'), args.files, args.seed);
      log(`scale: ${(ws.bytes / 2 ** 20).toFixed(1)} MB written; indexing in the worker thread`);
      scale = await runScale(ws, join(repo, 'dist', 'indexWorker.js'), join(root, 'storage'), log);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const results: RetrievalResults = {
    command: `npm run bench:retrieval -- ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()} ${arch()}`,
    load,
    versions: { node: process.version, minisearch: pkgVersion('minisearch') },
    seconds: Math.round((performance.now() - started) / 1000),
    quality,
    scale,
    notes: [
      'Queries: each JSDoc block right above a function (declaredNames + a function-looking line) gives its description (text before the first @tag, at least 3 words after tokenization) as the query; the block is blanked (spaces, line breaks kept) in the indexed text; the answer is the chunk holding the function\'s first line. Identical descriptions (aliases) are dropped.',
      'One index over all packages. lexical = BM25 (MiniSearch) over chunk text with identifier-split tokens; lexical + symbols = the same plus the chunk\'s declared names as a field boosted 4x. grep = chunks (and files, for file recall) ranked by the summed counts of the query\'s words (3+ letters, case-insensitive, whole words) — what `grep -ciw` per word gives.',
      'Common words dropped: past 2,000 chunks the index drops query words found in more than 15% of the chunks (near-zero BM25 weight, yet scoring them visits most of the index); the row shows what that costs on this corpus, where it is forced on.',
      'Scale: the bundled worker thread (dist/indexWorker.js) reads and indexes the files; host lag is this process\'s main-thread event-loop delay during the full index. RSS is the whole process (main thread + worker).',
      `Fused = lexical + symbols fused with the cosine ranking of the chunks' vectors by reciprocal rank fusion (src/index/fuseRankings.ts, k = 60, top ${50} of each), vectors stored as int8 as the index keeps them. Embedded through the real model worker (dist/worker.js, ${benchEmbeddingContext}-token context here). With the default test model (fim-deepseek: deepseek-coder's tokenizer, RANDOM weights) the figures are plumbing only, not quality.`,
    ],
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'retrieval.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(resultsDir, 'retrieval.md'), retrievalMarkdown(results));
  console.log(retrievalMarkdown(results));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
