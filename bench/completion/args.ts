import { join, resolve } from 'node:path';
import { ArgvReader } from '../argv';

export const repo = resolve(__dirname, '..', '..');

/** Real code no one here wrote, from pinned packages (versions recorded in the results). */
export const DEFAULT_FILES = ['node_modules/vscode-jsonrpc/lib/common/linkedMap.js', 'node_modules/semver/classes/range.js', 'node_modules/@types/node/readline.d.ts'];

export interface Args {
  files: string[];
  model?: string;
  quick: boolean;
  typethrough: boolean;
  tokens: number;
  seed: number;
  ctx: number;
  threads: number;
  batch: number;
  infillSampler: boolean;
  /** Sovereign's sovereign.completion.promptBudgetMs (the extension's default; 0 = fixed token bounds). */
  promptBudgetMs: number;
  /** Also run Sovereign with llama-server's token bounds and no prompt budget (off: --no-equal-context). */
  equalContext: boolean;
  /** Play the replay quiet, then beside each competing load (test/harness/busyLoad.ts), both sides each time. */
  busy: boolean;
  /** Sovereign's sovereign.runtime.adaptiveThreads (on by default, as in the extension). */
  adaptiveThreads: boolean;
  /** Sovereign's sovereign.completion.cacheReuse: KV reuse across jumps (on by default; off: --no-cache-reuse). */
  cacheReuse: boolean;
  /** Sovereign's sovereign.completion.cachedPlaces (3, the extension's default; --cached-places N). */
  cachedPlaces: number;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { files: [], quick: false, typethrough: false, tokens: 16, seed: 20240611, ctx: 4096, threads: 2, batch: 1024, infillSampler: false, promptBudgetMs: 6000, equalContext: true, busy: false, adaptiveThreads: true, cacheReuse: true, cachedPlaces: 3 };
  const r = new ArgvReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--files') args.files.push(...r.list());
    else if (a === '--model') args.model = r.value();
    else if (a === '--quick') args.quick = true;
    else if (a === '--typethrough') args.typethrough = true;
    else if (a === '--tokens') args.tokens = r.number();
    else if (a === '--seed') args.seed = r.number();
    else if (a === '--ctx') args.ctx = r.number();
    else if (a === '--threads') args.threads = r.number();
    else if (a === '--batch') args.batch = r.number();
    else if (a === '--infill-sampler') args.infillSampler = true;
    else if (a === '--prompt-budget-ms') args.promptBudgetMs = r.number();
    else if (a === '--no-equal-context') args.equalContext = false;
    else if (a === '--busy') args.busy = true;
    else if (a === '--fixed-threads') args.adaptiveThreads = false;
    else if (a === '--no-cache-reuse') args.cacheReuse = false;
    else if (a === '--cached-places') args.cachedPlaces = r.number();
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.files.length === 0) args.files = DEFAULT_FILES.map((f) => join(repo, f));
  return args;
}
