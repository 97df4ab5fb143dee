/**
 * bench:quality — what a perfect model's answer keeps through each side's completion rules
 * (issue 13). A benchmark, not a test.
 *
 *   npm run bench:quality -- [--files <paths…>] [--seed N] [--tps N] [--points] [--no-rules] [--write-fixture]
 *                              [--model <gguf>] [--codebase-only]
 *
 * The same seeded typing replay as bench:completion (bench/replay.ts) over other real files
 * (bench/quality/args.ts), with an oracle for the model (bench/quality/oracle.ts): at each request
 * it answers with what the user really typed next, in four variants (runOn, exact, wrongTail,
 * whitespace). Sovereign's real CompletionPipeline and llama.vscode's client rules
 * (bench/llamaVscodeDriver.ts, over an oracle /infill with llama-server's stops) process the same
 * answers; each wait point's suggestion is scored against the truth (bench/quality/score.ts). Then
 * each of Sovereign's rules is turned off in turn (bench/quality/rules.ts).
 *
 * --tps: generation speed the time budgets run against (default: the bench model's engine rate on
 * this machine, bench/results/completion.json); --points: a request only at wait points (no
 * typing through); --write-fixture: the unit test's cases (test/fixtures/quality/cases.json);
 * --model: then also the truth's likelihood after each side's prompt and the model's own greedy
 * suggestion, on the same files (bench/likelihood.ts: likelihood.json and .md);
 * --codebase-only: only whether the extra context holds a helper declared in another file of the
 * same package, with and without the codebase look-up (bench/quality/codebaseContext.ts; always
 * part of a full run), written to bench/results/quality-codebase.json.
 *
 * Writes bench/results/quality.json and quality.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { testModelPath } from '../scripts/models/testModels';
import { repo } from './completion/args';
import type { SourceFile } from './replay';
import { parseQualityArgs, type QualityArgs } from './quality/args';
import { autoClosedCases, qualityCases } from './quality/cases';
import { totalsHeader, totalsRow, ruleTable, type RuleRow } from './quality/markdown';
import { oracleVariants, type OracleVariant } from './quality/oracle';
import { ruleToggles } from './quality/rules';
import { total, ratios, type PointScore, type Totals } from './quality/score';
import { runCases, runPeer, runPeerCases, runSovereign, sovereignDefaults, type OracleRun, type SideRun } from './quality/sides';
import { approximateTokenizer, ggufTokenizer, type OracleTokenizer } from './quality/tokenizer';
import { fixtureOf } from './quality/fixture';
import { measureCodebaseContext, type CodebaseFigures } from './quality/codebaseContext';

const resultsDir = join(repo, 'bench', 'results');
const log = (s: string) => process.stderr.write(`[bench:quality] ${s}\n`);

/** name@version of the npm package a file comes from (the nearest package.json with a name). */
function packageOf(path: string): string | undefined {
  for (let dir = dirname(path); dir.startsWith(repo) && dir !== repo; dir = dirname(dir)) {
    const pj = join(dir, 'package.json');
    if (!existsSync(pj)) continue;
    const { name, version } = JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string };
    if (name && version) return `${name}@${version}`;
  }
  return undefined;
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(repo, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

async function tokenizerFor(): Promise<{ tokenizer: OracleTokenizer; name: string; dispose: () => Promise<void> }> {
  const path = testModelPath('fim-qwen2');
  if (existsSync(path)) {
    try {
      const t = await ggufTokenizer(path);
      return { ...t, name: `${relative(repo, path).startsWith('..') ? 'fim-qwen2.gguf' : path} (Qwen2.5-Coder vocabulary, vocab only)` };
    } catch (e) {
      log(`real tokenizer unavailable (${String(e)}): approximate tokenizer`);
    }
  } else log(`${path} missing (bash test/setup.sh makes it): approximate tokenizer`);
  return { tokenizer: approximateTokenizer, name: 'approximate (bench/quality/tokenizer.ts)', dispose: async () => undefined };
}

async function main(): Promise<void> {
  const args: QualityArgs = parseQualityArgs(process.argv.slice(2));
  const command = `npm run bench:quality${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  // Relevant code from other files: the oracle cannot tell whether context helps, so this asks
  // whether the extra context holds what the next line needs (codebaseContext.ts).
  const codebase = await measureCodebaseContext(args.files, repo);
  log(`codebase context: ${JSON.stringify(codebase.sides)} (look-up p50 ${codebase.lookup_ms.p50} ms, p95 ${codebase.lookup_ms.p95} ms)`);
  if (args.codebaseOnly) {
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'quality-codebase.json'), JSON.stringify({ command, date: new Date().toISOString(), ...codebase }, null, 2) + '\n');
    writeFileSync(join(resultsDir, 'quality-codebase.md'), ['# bench:quality — relevant code from other files', '', `\`${command}\``, '', ...codebaseMarkdown(codebase)].join('\n') + '\n');
    console.log(JSON.stringify(codebase, null, 2));
    return;
  }
  const files: SourceFile[] = args.files.map((path) => ({ path, rel: relative(repo, path), text: readFileSync(path, 'utf8') }));
  const cases = await qualityCases(files, args.seed);
  log(`${files.length} files, ${cases.length} wait points (seed ${args.seed})`);
  if (args.writeFixture) {
    const out = join(repo, 'test', 'fixtures', 'quality', 'cases.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(fixtureOf(cases, files.map((f) => ({ file: f.rel, package: packageOf(f.path) })), command), null, 1) + '\n');
    log(`wrote ${out}`);
  }
  const tok = await tokenizerFor();
  const msPerToken = 1000 / args.tps;
  const runOf = (variant: OracleVariant): OracleRun => ({ variant, tokenizer: tok.tokenizer, msPerToken, typing: !args.points });
  const totals = (r: SideRun) => total(r.waits.map((w) => w.score));

  const sides: Record<string, { sovereign: Totals; llama_vscode: Totals; sovereign_counters: unknown; llama_vscode_counters: unknown; unplaced: number }> = {};
  const baseline: Record<string, Totals> = {};
  for (const variant of oracleVariants) {
    const sov = await runSovereign(files, args.seed, runOf(variant));
    const peer = await runPeer(files, args.seed, runOf(variant));
    sides[variant] = { sovereign: totals(sov), llama_vscode: totals(peer), sovereign_counters: sov.counters, llama_vscode_counters: peer.counters, unplaced: sov.oracle.unplaced + peer.oracle.unplaced };
    baseline[variant] = totals(sov);
    log(`${variant}: sovereign ${JSON.stringify(ratios(totals(sov)))} | llama.vscode ${JSON.stringify(ratios(totals(peer)))}`);
  }

  // The same wait points with the closing brackets of the line already right of the cursor, each
  // on its own (cases.ts autoClosedCases): the single-line rule and the suffix rules at work.
  const closed = autoClosedCases(cases);
  const closedVariants: OracleVariant[] = ['runOn', 'exact', 'wrongTail'];
  const pointRun = (variant: OracleVariant) => ({ variant, tokenizer: tok.tokenizer, msPerToken });
  const scoresOf = (w: { score: PointScore }[]) => total(w.map((x) => x.score));
  for (const variant of closedVariants) {
    const sov = scoresOf(await runCases(closed, pointRun(variant)));
    const peer = scoresOf(await runPeerCases(closed, pointRun(variant)));
    sides[`autoClosed ${variant}`] = { sovereign: sov, llama_vscode: peer, sovereign_counters: {}, llama_vscode_counters: {}, unplaced: 0 };
    baseline[`autoClosed ${variant}`] = sov;
    log(`autoClosed ${variant} (${closed.length} points): sovereign ${JSON.stringify(ratios(sov))} | llama.vscode ${JSON.stringify(ratios(peer))}`);
  }

  const ruleVariants = ['runOn', 'exact', 'wrongTail', 'autoClosed runOn', 'autoClosed wrongTail'];
  const rules: RuleRow[] = [];
  if (args.rules) {
    for (const toggle of ruleToggles) {
      const deltas: RuleRow['deltas'] = {};
      for (const variant of ruleVariants) {
        const t = variant.startsWith('autoClosed ')
          ? scoresOf(await runCases(closed, pointRun(variant.slice('autoClosed '.length) as OracleVariant), toggle.without))
          : totals(await runSovereign(files, args.seed, runOf(variant as OracleVariant), toggle.without));
        const b = baseline[variant];
        deltas[variant] = { correct: t.correct - b.correct, wrong: t.wrong - b.wrong, accepted: t.accepted - b.accepted };
      }
      rules.push({ name: toggle.name, where: toggle.where, deltas });
      log(`without ${toggle.name}: ${JSON.stringify(deltas)}`);
    }
  }
  await tok.dispose();

  const results = {
    command,
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()} ${arch()}`, node: process.version },
    versions: { sovereign: version('..'), 'node-llama-cpp': version('node-llama-cpp') },
    files: files.map((f) => ({ file: f.rel, package: packageOf(f.path) })),
    seed: args.seed,
    wait_points: cases.length,
    auto_closed_points: closed.length,
    mode: args.points ? 'wait points only' : 'every keystroke (cache, type-through, speculation)',
    tokenizer: tok.name,
    tokens_per_second: args.tps,
    sovereign_settings: sovereignDefaults(),
    llama_vscode_settings: 'configuration.ts defaults: n_predict 128, t_max_predict_ms 2500, max_line_suffix 8, n_indent = the line\'s indentation',
    variants: sides,
    rules: { variants: ruleVariants, rows: rules },
    codebase_context: codebase,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'quality.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(resultsDir, 'quality.md'), markdown(results, sides, rules, ruleVariants) + ['', ...codebaseMarkdown(codebase), ''].join('\n'));
  log(`wrote ${join(resultsDir, 'quality.json')} and quality.md`);
  const headline = Object.fromEntries(Object.entries(sides).map(([v, s]) => [v, { sovereign: ratios(s.sovereign), llama_vscode: ratios(s.llama_vscode) }]));
  console.log(JSON.stringify(headline, null, 2));
  if (args.model) {
    // The model's side: the truth's likelihood after each side's prompt and Sovereign's greedy
    // suggestion, on the same files (bench:likelihood; it writes likelihood.json and .md).
    log(`--model ${args.model}: scoring the truth's likelihood (bench/likelihood.ts)`);
    execFileSync(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repo, 'bench', 'likelihood.ts'), '--model', resolve(args.model), '--files', ...args.files], { cwd: repo, stdio: 'inherit' });
  }
}

function markdown(results: { command: string; date: string; machine: unknown; versions: unknown; files: unknown; tokenizer: string; tokens_per_second: number; mode: string; wait_points: number }, sides: Record<string, { sovereign: Totals; llama_vscode: Totals }>, rules: RuleRow[], ruleVariants: string[]): string {
  const out = [
    '# bench:quality — a perfect model through each side\'s completion rules',
    '',
    `\`${results.command}\` · ${results.date} · ${results.wait_points} wait points · ${results.mode}`,
    '',
    `Machine: \`${JSON.stringify(results.machine)}\`; versions: \`${JSON.stringify(results.versions)}\`; files: \`${JSON.stringify(results.files)}\`.`,
    `Tokenizer: ${results.tokenizer}; time budgets at ${results.tokens_per_second} tokens/s.`,
    '',
    'The oracle answers with what the user really typed next. Variants: **runOn** the truth, then the file as it goes on (a duplicate of the text after the cursor) up to the token limit; **exact** the truth, then end of generation; **wrongTail** the truth, then wrong lines; **whitespace** only whitespace (nothing should be shown). **autoClosed …**: the wait points whose next line ends in closing brackets, with those brackets already right of the cursor (as an editor that closes brackets has them), each on its own (no typing through): the single-line rule, suffix de-duplication and bracket handling at work.',
    '',
  ];
  for (const [variant, s] of Object.entries(sides)) {
    out.push(`## ${variant}`, '', totalsHeader, totalsRow('Sovereign', s.sovereign), totalsRow('llama.vscode', s.llama_vscode), '');
  }
  if (rules.length) out.push('## Each Sovereign rule turned off (difference to the defaults above)', '', ruleTable(rules, ruleVariants), '');
  return out.join('\n');
}

function codebaseMarkdown(c: CodebaseFigures): string[] {
  return [
    '## Relevant code from other files (sovereign.completion.codebaseContext)',
    '',
    'At each line that calls a helper declared in another file of the same package (the line removed, the cursor on it): does the extra context, within the ring\'s bound, hold the helper\'s declaration? (bench/quality/codebaseContext.ts)',
    '',
    `Packages: ${c.packages.map((p) => `${p.dir} (${p.files} files, ${p.cases} cases)`).join(', ')}; one look-up: p50 ${c.lookup_ms.p50} ms, p95 ${c.lookup_ms.p95} ms (in the background, not on a request's path).`,
    '',
    '| side | helper declared in the extra context | mean extra-context tokens (estimated) |',
    '|---|---|---|',
    ...Object.entries(c.sides).map(([side, s]) => `| ${side} | ${s.hits}/${s.cases} (${(s.hit_rate * 100).toFixed(1)}%) | ${s.mean_ring_tokens} |`),
  ];
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
