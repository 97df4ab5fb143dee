import { join } from 'node:path';
import { repo } from '../completion/args';
import { ArgvReader } from '../argv';

/**
 * Real code from npm packages that are neither Sovereign's dependencies nor bench:completion's
 * files nor anything the rules were written against: transitive packages of the dev tools
 * (versions recorded in the results).
 */
export const DEFAULT_QUALITY_FILES = [
  'node_modules/js-yaml/lib/loader.js',
  'node_modules/picomatch/lib/parse.js',
  'node_modules/yargs-parser/build/lib/yargs-parser.js',
  'node_modules/editions/source/index.ts',
  'node_modules/node-addon-api/napi-inl.h',
];

export interface QualityArgs {
  files: string[];
  seed: number;
  /** generation speed the time budgets are measured against (tokens a second) */
  tps: number;
  /** only wait points get a request (no typing through, no cache between them) */
  points: boolean;
  rules: boolean;
  /** write the unit test's fixture from the wait points (test/fixtures/quality/cases.json) */
  writeFixture: boolean;
  /** point 4 of issue 13: a GGUF to score the truth's likelihood with (bench/quality/likelihood*.ts) */
  model?: string;
  /** only the measure of relevant code from other files (bench/quality/codebaseContext.ts) */
  codebaseOnly: boolean;
}

export function parseQualityArgs(argv: string[]): QualityArgs {
  const args: QualityArgs = { files: [], seed: 20240611, tps: 37.1, points: false, rules: true, writeFixture: false, codebaseOnly: false };
  const r = new ArgvReader(argv);
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--files') args.files.push(...r.list());
    else if (a === '--seed') args.seed = r.number();
    else if (a === '--tps') args.tps = r.number();
    else if (a === '--points') args.points = true;
    else if (a === '--no-rules') args.rules = false;
    else if (a === '--write-fixture') args.writeFixture = true;
    else if (a === '--model') args.model = r.value();
    else if (a === '--codebase-only') args.codebaseOnly = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (args.files.length === 0) args.files = DEFAULT_QUALITY_FILES.map((f) => join(repo, f));
  return args;
}
