/**
 * Relevant code from other files, scored by a real model (issue 15 point 4):
 *
 *   npx tsx bench/codebaseLikelihood.ts --model <fim gguf> [--cases N] [--threads N] [--ctx N] [--gpu auto|cuda|off]
 *
 * bench:quality's codebase cases (bench/quality/codebaseContext.ts: a line calling a helper
 * declared in another file of the same npm package, removed, the cursor on it), each prompted the
 * extension's way (bench/quality/likelihood.ts sovereignRun: the CompletionPipeline and the
 * worker's FimCompleter, Sovereign's defaults without the prompt budget) twice: with the ring
 * empty (no other file opened) and with what the codebase look-up adds. Scores: the truth line's
 * log-probability per character (teacher forcing; closer to 0 is better), its tokens that were the
 * model's first choice, and whether the greedy suggestion's first line is the truth. Prompt tokens
 * and the measured prompt speed give the cost of the extra tokens when no warm-up evaluated them.
 * Writes bench/results/quality-codebase-likelihood.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { defaultCodebaseLimits } from '../src/completion/codebaseLookup';
import { CodeIndex } from '../src/index/codeIndex';
import type { GpuSetting } from '../src/runtime/protocol';
import { ArgvReader } from './argv';
import { repo } from './completion/args';
import { DEFAULT_QUALITY_FILES } from './quality/args';
import { languageOf } from './quality/cases';
import { codebaseCases, declarations, packageFiles, ringFor, typedLines, type Mode } from './quality/codebaseContext';
import { openLikelihoodSession, sovereignRun } from './quality/likelihood';
import { spreadCases } from './quality/likelihoodCases';
import { sovereignDefaults } from './quality/sides';

const log = (s: string) => process.stderr.write(`[codebase-likelihood] ${s}\n`);

async function main(): Promise<void> {
  const args = { model: '', cases: 16, threads: 2, ctx: 4096, gpu: 'off' as GpuSetting };
  const r = new ArgvReader(process.argv.slice(2));
  for (let a = r.next(); a !== undefined; a = r.next()) {
    if (a === '--model') args.model = r.value();
    else if (a === '--cases') args.cases = r.number();
    else if (a === '--threads') args.threads = r.number();
    else if (a === '--ctx') args.ctx = r.number();
    else if (a === '--gpu') args.gpu = r.value() as GpuSetting;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.model) throw new Error('--model <fim gguf> is required');
  const d = sovereignDefaults();
  const setup = { settings: { ...d, maxExtraTokens: 2048 }, window: { prefixLines: d.prefixLines, suffixLines: d.suffixLines, maxPrefixTokens: d.maxPrefixTokens, maxSuffixTokens: d.maxSuffixTokens } };

  const prepared = [];
  for (const dir of [...new Set(DEFAULT_QUALITY_FILES.map((f) => dirname(join(repo, f))))]) {
    const pkg = packageFiles(dir);
    const decl = declarations(pkg);
    const index = new CodeIndex({ maxChars: 64 * 1024 * 1024 });
    for (const f of pkg) index.setFile(f.file, f.lines.join('\n'), 'v1');
    for (const c of codebaseCases(pkg)) prepared.push({ pkg, decl, index, c });
  }
  const chosen = spreadCases(prepared, args.cases);
  log(`${prepared.length} cases, scoring ${chosen.length} with ${basename(args.model)}`);
  const session = await openLikelihoodSession(args.model, { contextSize: args.ctx, threads: args.threads, gpu: args.gpu });
  const rows: { file: string; helper: string; sides: Record<string, { logProbPerChar: number; top: number; truthTokens: number; promptTokens: number; extraTokens: number; exactLine: boolean }> }[] = [];
  try {
    for (const [i, p] of chosen.entries()) {
      const { c, pkg } = p;
      const typed = pkg.find((f) => f.file === c.file)!;
      const lines = typedLines(pkg, c);
      p.index.setFile(c.file, lines.join('\n'), `typing ${c.line}`);
      const indent = lines[c.line];
      const truth = typed.lines[c.line].slice(indent.length);
      const rel = relative(repo, c.file);
      const lc = { file: rel, language: languageOf(rel), prefix: [...lines.slice(0, c.line), indent].join('\n'), suffix: '\n' + lines.slice(c.line + 1).join('\n'), truth };
      const truthTokens = [...session.vocab.bare(indent + truth)];
      const row: (typeof rows)[number] = { file: rel, helper: c.helper, sides: {} };
      for (const mode of ['none', 'both'] as Mode[]) {
        const ring = await ringFor({ pkg, decl: p.decl, index: p.index, c, lines, opened: false, mode, limits: defaultCodebaseLimits });
        const run = await sovereignRun(session, lc, setup, 'workspace', truthTokens, ring);
        const logProb = run.steps.reduce((s, x) => s + x.logProb, 0);
        row.sides[mode === 'none' ? 'ring_only' : 'with_codebase'] = {
          logProbPerChar: logProb / (indent + truth).length,
          top: run.steps.filter((s) => s.top).length,
          truthTokens: run.steps.length,
          promptTokens: run.promptTokens,
          extraTokens: run.extraTokens,
          exactLine: (run.suggestion?.text ?? '').split('\n')[0].trim() === truth.trim(),
        };
      }
      p.index.setFile(c.file, typed.lines.join('\n'), 'v1');
      rows.push(row);
      log(`${i + 1}/${chosen.length} ${rel}:${c.line + 1} ${c.helper}: log p/char ${row.sides.ring_only.logProbPerChar.toFixed(3)} → ${row.sides.with_codebase.logProbPerChar.toFixed(3)} (extra ${row.sides.with_codebase.extraTokens} tokens)`);
    }
  } finally {
    await session.dispose();
  }
  const mean = (side: string, f: (s: (typeof rows)[number]['sides'][string]) => number) => Math.round((rows.reduce((t, r) => t + f(r.sides[side]), 0) / rows.length) * 1000) / 1000;
  const summary = Object.fromEntries(
    ['ring_only', 'with_codebase'].map((side) => [
      side,
      {
        mean_log_prob_per_char: mean(side, (s) => s.logProbPerChar),
        top_token_share: Math.round((rows.reduce((t, r) => t + r.sides[side].top, 0) / rows.reduce((t, r) => t + r.sides[side].truthTokens, 0)) * 1000) / 1000,
        exact_first_line: rows.filter((r) => r.sides[side].exactLine).length,
        mean_prompt_tokens: mean(side, (s) => s.promptTokens),
        mean_extra_tokens: mean(side, (s) => s.extraTokens),
      },
    ]),
  );
  const speed = session.promptTokensPerSecond;
  const result = {
    command: `npx tsx bench/codebaseLikelihood.ts ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    model: basename(args.model),
    threads: args.threads,
    gpu: session.gpu,
    prompt_tokens_per_second: speed,
    cases: rows.length,
    summary,
    // With a warm-up after the ring changed (contextFeeder/codebaseFeeder → pipeline.warmUp) the
    // request reuses the extra tokens' KV state; without one, they cost this once.
    cold_extra_ms: speed ? Math.round((summary.with_codebase.mean_extra_tokens / speed) * 1000) : undefined,
    rows,
  };
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'results', 'quality-codebase-likelihood.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify({ ...result, rows: undefined }, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
