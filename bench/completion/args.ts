import { join, resolve } from 'node:path';

export const repo = resolve(__dirname, '..', '..');

/** Real code no one here wrote, from pinned packages (versions recorded in the results). */
const DEFAULT_FILES = ['node_modules/vscode-jsonrpc/lib/common/linkedMap.js', 'node_modules/semver/classes/range.js', 'node_modules/@types/node/readline.d.ts'];

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
}

export function parseArgs(argv: string[]): Args {
  const args: Args = { files: [], quick: false, typethrough: false, tokens: 16, seed: 20240611, ctx: 4096, threads: 2, batch: 1024, infillSampler: false, promptBudgetMs: 6000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--files') while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) args.files.push(argv[++i]);
    else if (a === '--model') args.model = argv[++i];
    else if (a === '--quick') args.quick = true;
    else if (a === '--typethrough') args.typethrough = true;
    else if (a === '--tokens') args.tokens = num();
    else if (a === '--seed') args.seed = num();
    else if (a === '--ctx') args.ctx = num();
    else if (a === '--threads') args.threads = num();
    else if (a === '--batch') args.batch = num();
    else if (a === '--infill-sampler') args.infillSampler = true;
    else if (a === '--prompt-budget-ms') args.promptBudgetMs = num();
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.files.length === 0) args.files = DEFAULT_FILES.map((f) => join(repo, f));
  return args;
}
