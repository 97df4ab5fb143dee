/**
 * Generate the test models into the dev cache.
 *
 *   npx tsx scripts/models/make.ts [--bench] [--force]
 *
 * --bench  also make bench-qwen2.5-coder-0.5b-f16.gguf (1.27 GB)
 * --force  regenerate even when a cached file matches its expected sha256
 */
import { ensureTestModelsWithReport, testModelsDir, type EnsureReport } from './testModels';

function print(r: EnsureReport): void {
  const mb = (r.size / (1 << 20)).toFixed(1);
  console.log(`${r.name}\n  path    ${r.path}\n  size    ${r.size} bytes (${mb} MiB)\n  sha256  ${r.sha256}\n  ${r.action.padEnd(7)} ${(r.ms / 1000).toFixed(2)} s`);
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  for (const a of args) {
    if (a !== '--bench' && a !== '--force') {
      console.error(`unknown argument ${a}\nusage: npx tsx scripts/models/make.ts [--bench] [--force]`);
      process.exit(2);
    }
  }
  console.log(`test models in ${testModelsDir}`);
  try {
    const reports = await ensureTestModelsWithReport({ bench: args.has('--bench'), force: args.has('--force') });
    reports.forEach(print);
  } catch (e) {
    const reports = (e as { reports?: EnsureReport[] }).reports;
    reports?.forEach(print);
    console.error(`\n${(e as Error).message}`);
    process.exit(1);
  }
}

void main();
