/**
 * Plays a replay's keystrokes through one side with the oracle as its model, and scores what each
 * wait point shows. Sovereign: the real CompletionPipeline (cache, type-through, speculation,
 * single-line rule, post-processing) with the input the extension builds (completionInputAt). The
 * peer: bench/llamaVscodeDriver.ts (llama.vscode's client rules, cache and speculation) over an
 * oracle /infill. The oracle answers at once, so each keystroke's request and the background
 * requests it starts finish before the next keystroke (no cancellation: a perfect model that is
 * also instant; the latency benchmark is bench:completion).
 */
import { silentLog } from '../../src/common/log';
import { CompletionPipeline, type Suggestion } from '../../src/completion/completionPipeline';
import { completionInputAt } from '../../src/completion/completionWindow';
import type { PostprocessRule } from '../../src/completion/postprocess';
import type { CompletionSettings } from '../../src/config/completionSettings';
import type { DocState, ProviderOutcome } from '../driver';
import { LlamaVscodeDriver, llamaVscodeDefaults } from '../llamaVscodeDriver';
import type { SourceFile } from '../replay';
import { walkReplay, type QualityCase, type ReplayKey } from './cases';
import { OracleInfillServer, OracleModel, type OracleCounters, type OracleVariant, type StopSwitches } from './oracle';
import { scorePoint, type PointScore, type Shown } from './score';
import type { OracleTokenizer } from './tokenizer';

export interface OracleRun {
  variant: OracleVariant;
  tokenizer: OracleTokenizer;
  msPerToken: number;
  /** true: a request at every keystroke (cache, type-through, speculation); false: only at wait points */
  typing: boolean;
}

export interface WaitResult {
  case: QualityCase;
  shown: Shown;
  score: PointScore;
}

export interface SideRun {
  waits: WaitResult[];
  oracle: OracleCounters;
  counters: Record<string, unknown>;
}

/** The extension's defaults (package.json), without the debounce: the oracle takes no time. */
export function sovereignDefaults(): CompletionSettings & { prefixLines: number; suffixLines: number } {
  return {
    maxTokens: 64,
    maxLines: 16,
    timeBudgetMs: 1000,
    maxPrefixTokens: 1536,
    maxSuffixTokens: 256,
    maxExtraTokens: 0,
    promptBudgetMs: 0,
    debounceMinMs: 0,
    debounceMaxMs: 0,
    speculate: true,
    prefixLines: 256,
    suffixLines: 64,
  };
}

export interface SovereignSwitches {
  postprocessOff?: ReadonlySet<PostprocessRule>;
  stopsOff?: StopSwitches;
  settings?: Partial<CompletionSettings>;
}

const world = (k: ReplayKey) => ({ before: k.doc.text.slice(0, k.doc.cursor), after: k.doc.text.slice(k.doc.cursor), truth: k.truth });
const linePrefixOf = (c: QualityCase) => c.prefix.slice(c.prefix.lastIndexOf('\n') + 1);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runSovereign(files: SourceFile[], seed: number, run: OracleRun, switches: SovereignSwitches = {}): Promise<SideRun> {
  const settings = { ...sovereignDefaults(), ...switches.settings };
  const oracle = new OracleModel(run.variant, run.tokenizer, run.msPerToken, switches.stopsOff);
  const pipeline = new CompletionPipeline(oracle, () => settings, undefined, silentLog, undefined, switches.postprocessOff);
  const waits: WaitResult[] = [];
  const window = { prefixLines: settings.prefixLines, suffixLines: settings.suffixLines, maxPrefixTokens: settings.maxPrefixTokens, maxSuffixTokens: settings.maxSuffixTokens };
  await walkReplay(files, seed, async (k) => {
    if (!run.typing && !k.waitCase) return;
    if (!run.typing) pipeline.clearCache();
    oracle.world = world(k);
    const pos = k.doc.position();
    const lines = k.doc.lines;
    const input = completionInputAt({ lineCount: lines.length, lineAt: (i) => lines[i] }, pos.line, pos.character, window, { filePath: k.session.file.rel, repoName: 'bench' });
    const s: Suggestion | undefined = await pipeline.provide(input, new AbortController().signal);
    await tick(); // the speculative request the suggestion started
    await tick();
    if (k.waitCase) {
      const shown = { text: s?.text, replaceIndent: s?.replaceIndent };
      waits.push({ case: k.waitCase, shown, score: scorePoint(shown, k.waitCase.truth, linePrefixOf(k.waitCase)) });
    }
  });
  return { waits, oracle: oracle.counters, counters: { ...pipeline.counters } };
}

export async function runPeer(files: SourceFile[], seed: number, run: OracleRun): Promise<SideRun> {
  const server = new OracleInfillServer(run.variant, run.tokenizer, run.msPerToken);
  const waits: WaitResult[] = [];
  // The extension's defaults (configuration.ts); the oracle's answers are the same text as Sovereign's.
  const driver = new LlamaVscodeDriver(llamaVscodeDefaults('oracle:'), { seed, samplers: ['top_k', 'top_p', 'infill'], infill: server.infill });
  const last = { outcome: undefined as ProviderOutcome | undefined, get: (): ProviderOutcome | undefined => last.outcome };
  driver.onOutcome = (o) => {
    last.outcome = o;
  };
  let opened: string | undefined;
  try {
    await walkReplay(files, seed, async (k) => {
      if (!run.typing && !k.waitCase) return;
      server.world = world(k);
      const pos = k.doc.position();
      const state: DocState = { fileName: k.session.file.path, rel: k.session.file.rel, version: k.doc.version, lines: k.doc.lines, line: pos.line, character: pos.character };
      if (opened !== state.rel) {
        driver.open(state, undefined);
        opened = state.rel;
      }
      last.outcome = undefined;
      driver.change(state);
      for (let i = 0; i < 10_000 && last.get()?.version !== state.version; i++) await tick();
      await driver.idle();
      if (k.waitCase) {
        const shown = { text: last.get()?.text };
        waits.push({ case: k.waitCase, shown, score: scorePoint(shown, k.waitCase.truth, linePrefixOf(k.waitCase)) });
      }
    });
  } finally {
    await driver.dispose();
  }
  return { waits, oracle: server.counters, counters: driver.summary() };
}

/**
 * Each case on its own (a fresh cache, no typing before it): one request at the wait point. The
 * unit test's way (test/unit/oracleFidelity.test.ts); the bench replays the typing.
 */
export async function runCases(cases: readonly QualityCase[], run: Omit<OracleRun, 'typing'>, switches: SovereignSwitches = {}): Promise<WaitResult[]> {
  const settings = { ...sovereignDefaults(), ...switches.settings };
  const oracle = new OracleModel(run.variant, run.tokenizer, run.msPerToken, switches.stopsOff);
  const pipeline = new CompletionPipeline(oracle, () => ({ ...settings, speculate: false }), undefined, silentLog, undefined, switches.postprocessOff);
  const window = { prefixLines: settings.prefixLines, suffixLines: settings.suffixLines, maxPrefixTokens: settings.maxPrefixTokens, maxSuffixTokens: settings.maxSuffixTokens };
  const waits: WaitResult[] = [];
  for (const c of cases) {
    pipeline.clearCache();
    oracle.world = { before: c.prefix, after: c.suffix, truth: c.truth };
    const lines = (c.prefix + c.suffix).split('\n');
    const input = completionInputAt({ lineCount: lines.length, lineAt: (i) => lines[i] }, c.line, c.character, window, { filePath: c.file, repoName: 'bench' });
    const s = await pipeline.provide(input, new AbortController().signal);
    const shown = { text: s?.text, replaceIndent: s?.replaceIndent };
    waits.push({ case: c, shown, score: scorePoint(shown, c.truth, linePrefixOf(c)) });
  }
  return waits;
}

/** The peer on each case on its own (as runCases): a fresh llama.vscode client per case. */
export async function runPeerCases(cases: readonly QualityCase[], run: Omit<OracleRun, 'typing'>): Promise<WaitResult[]> {
  const server = new OracleInfillServer(run.variant, run.tokenizer, run.msPerToken);
  const waits: WaitResult[] = [];
  for (const c of cases) {
    const driver = new LlamaVscodeDriver(llamaVscodeDefaults('oracle:'), { seed: 1, samplers: ['top_k', 'top_p', 'infill'], infill: server.infill });
    const last = { outcome: undefined as ProviderOutcome | undefined, get: (): ProviderOutcome | undefined => last.outcome };
    driver.onOutcome = (o) => {
      last.outcome = o;
    };
    server.world = { before: c.prefix, after: c.suffix, truth: c.truth };
    const state: DocState = { fileName: c.file, rel: c.file, version: 1, lines: (c.prefix + c.suffix).split('\n'), line: c.prefix.split('\n').length - 1, character: c.character };
    driver.change(state);
    for (let i = 0; i < 10_000 && last.get()?.version !== 1; i++) await tick();
    await driver.dispose();
    const shown = { text: last.get()?.text };
    waits.push({ case: c, shown, score: scorePoint(shown, c.truth, linePrefixOf(c)) });
  }
  return waits;
}
