/**
 * Likelihood of the truth: how probable a model finds what the user really typed next, after
 * Sovereign's prompt and after the peer's (llama.vscode → llama-server /infill), and what
 * Sovereign's greedy suggestion at the same point was worth. Runs through the real runtime code
 * in this process: node-llama-cpp 3.21.1, the worker's FimCompleter (its prompt assembly, prompt
 * budget, stops) and the extension's CompletionPipeline (window, post-processing).
 *
 * Four prompts per case:
 * - `llama_vscode`: the peer's request and llama-server's token layout and bounds (likelihoodPeerPrompt.ts).
 * - `sovereign_equal`: Sovereign's layout with the peer's bounds (same line windows, ≤ 3·(n_batch/4)
 *   prefix and ≤ n_batch/4 − 2 suffix tokens, no prompt budget): what the layout alone changes.
 * - `sovereign_defaults`: Sovereign as shipped (package.json defaults, the prompt budget lowering
 *   the bounds at this machine's measured prompt speed), without extra context: what the budget costs.
 * - `sovereign_extra`: the same with extra context: the ring holding the chunk each other file of
 *   the run gives when it is opened (64 lines from its top, contextFeeder.ts): whether it helps.
 * The first three have no extra context: the replay's ring history is not rebuilt here.
 *
 * The score is the mean log-probability per character of the forced text (nats; closer to 0 is
 * better), summed over the truth's tokens (teacher forcing, truthLogProbs.ts) and divided by its
 * characters, so prompts and tokenizers with different token counts compare. On a line holding
 * only indentation both sides prompt from column 0, so the forced text is that indentation + the
 * truth. With a random-weight model these numbers mean nothing.
 */
import { silentLog } from '../../src/common/log';
import { CompletionPipeline, type CompletionModel, type Suggestion } from '../../src/completion/completionPipeline';
import { completionInputAt, type WindowSettings } from '../../src/completion/completionWindow';
import { chunkAround, ContextRing } from '../../src/completion/contextRing';
import { chunkLines } from '../../src/completion/contextFeedScheduler';
import { extraContextTokens, type CompletionSettings } from '../../src/config/completionSettings';
import type { CompletionParams, CompletionResult, GpuSetting } from '../../src/runtime/protocol';
import { FimCompleter } from '../../src/runtime/worker/fimCompleter';
import { detectFimFormat, type FimFormat } from '../../src/runtime/worker/fimFormat';
import { FimVocabulary } from '../../src/runtime/worker/fimVocabulary';
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from '../../src/runtime/worker/nodeLlamaCpp';
import { PriorityGate } from '../../src/runtime/worker/priorityGate';
import { processLlama } from '../../src/runtime/worker/processLlama';
import type { LikelihoodCase } from './likelihoodCases';
import { peerPrompt, peerRequest, type PeerBounds } from './likelihoodPeerPrompt';
import { truthLogProbs, type ForcedStep } from './truthLogProbs';

export const likelihoodVariants = ['llama_vscode', 'sovereign_equal', 'sovereign_defaults', 'sovereign_extra'] as const;
export type LikelihoodVariant = (typeof likelihoodVariants)[number];

/** Sovereign's settings for one prompt variant: the request's (CompletionPipeline) and the window's. */
export interface SovereignSetup {
  settings: CompletionSettings;
  window: WindowSettings;
}

export interface LikelihoodOptions {
  peer: PeerBounds;
  /** Sovereign as shipped; `sovereign_equal` is this with the peer's bounds. */
  defaults: SovereignSetup;
  /** the workspace folder name Sovereign sends (llama-server always says "myproject") */
  repoName: string;
  /** the files of the run: `sovereign_extra`'s ring holds a chunk of each but the case's own */
  files: readonly { rel: string; text: string }[];
}

export interface PromptScore {
  promptTokens: number;
  /** tokens of text before / after the cursor that the prompt kept */
  prefixTokens: number;
  suffixTokens: number;
  /** tokens of extra context (other files) */
  extraTokens: number;
  truthTokens: number;
  /** Σ log p over the forced tokens (nats) */
  logProb: number;
  logProbPerChar: number;
  /** forced tokens that were the model's first choice */
  topTokens: number;
}

export interface SuggestionScore {
  /** what the user would see inserted ('' when nothing was shown) */
  shown: string;
  /** the suggestion is exactly the truth's first line */
  exactLine: boolean;
  /** the suggestion is whole lines of the truth, nothing else */
  exactLines: boolean;
  /** characters a user would keep: all when the truth starts with the suggestion, else the correct words */
  acceptedChars: number;
  /** why generation stopped (the worker's stats), or 'none' */
  stop: string;
}

export interface CaseScore {
  file: string;
  language: string;
  /** what the user typed next */
  truthChars: number;
  /** the text forced after each prompt (the truth, after the line's indentation when it holds only that) */
  forcedChars: number;
  prompts: Record<LikelihoodVariant, PromptScore>;
  suggestions: Record<Exclude<LikelihoodVariant, 'llama_vscode'>, SuggestionScore>;
}

/** A model loaded once for the whole run, with the worker's completer on its only sequence. */
export interface LikelihoodSession {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  format: FimFormat;
  vocab: FimVocabulary;
  completer: FimCompleter;
  gpu: string;
  threads: number;
  /** prompt tokens a second measured at load (the prompt budget's input) */
  promptTokensPerSecond: number | undefined;
  dispose(): Promise<void>;
}

/** Loads `modelPath` the way the worker's ModelHost does, and measures the prompt speed as it does. */
export async function openLikelihoodSession(modelPath: string, o: { contextSize: number; threads: number; gpu: GpuSetting }): Promise<LikelihoodSession> {
  const llama = await processLlama(o.gpu, () => undefined);
  const model = await llama.loadModel({ modelPath });
  const format = detectFimFormat(model);
  if (!format) {
    await model.dispose();
    throw new Error(`${modelPath} has no FIM tokens`);
  }
  const threads = o.threads > 0 ? o.threads : llama.cpuMathCores;
  const context = await model.createContext({ contextSize: Math.min(o.contextSize, model.trainContextSize), threads, sequences: 1 });
  const sequence = context.getSequence();
  const completer = new FimCompleter(sequence, format, new PriorityGate());
  await completer.calibrate();
  return {
    model,
    context,
    sequence,
    format,
    vocab: new FimVocabulary(model),
    completer,
    gpu: llama.gpu === false ? 'cpu' : llama.gpu,
    threads,
    promptTokensPerSecond: completer.promptTokensPerSecond,
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}

/** Sovereign with the peer's bounds and no prompt budget. */
export function equalContextSetup(defaults: SovereignSetup, peer: PeerBounds): SovereignSetup {
  const quarter = Math.floor(peer.nBatch / 4);
  const bounds = { maxPrefixTokens: 3 * quarter, maxSuffixTokens: Math.max(0, quarter - 2) };
  return {
    settings: { ...defaults.settings, ...bounds, promptBudgetMs: 0 },
    window: { ...defaults.window, ...bounds, prefixLines: peer.nPrefixLines, suffixLines: peer.nSuffixLines },
  };
}

/** Scores every case; `onCase` sees each as it is done (progress). */
export async function scoreLikelihood(
  session: LikelihoodSession,
  cases: readonly LikelihoodCase[],
  options: LikelihoodOptions,
  onCase: (score: CaseScore, index: number) => void = () => undefined,
): Promise<CaseScore[]> {
  const withExtra: SovereignSetup = { ...options.defaults, settings: { ...options.defaults.settings, maxExtraTokens: extraContextTokens } };
  const setups = { sovereign_equal: equalContextSetup(options.defaults, options.peer), sovereign_defaults: options.defaults, sovereign_extra: withExtra };
  const scores: CaseScore[] = [];
  for (const [index, c] of cases.entries()) {
    const linePrefix = c.prefix.slice(c.prefix.lastIndexOf('\n') + 1);
    const indentOnly = /^[ \t]*$/.test(linePrefix);
    const forced = indentOnly ? linePrefix + c.truth : c.truth;
    const truthTokens = [...session.vocab.bare(forced)];

    const request = peerRequest(c.prefix, c.suffix, options.peer);
    const peer = peerPrompt(session.model, request, options.peer);
    const peerSteps = await truthLogProbs(session.sequence, peer.tokens, truthTokens);
    const prompts = { llama_vscode: promptScore(peer.tokens.length, peer.prefixTokens + peer.promptTokens, peer.suffixTokens, peerSteps, forced) } as CaseScore['prompts'];
    const suggestions = {} as CaseScore['suggestions'];
    for (const variant of ['sovereign_equal', 'sovereign_defaults', 'sovereign_extra'] as const) {
      const ring = variant === 'sovereign_extra' ? ringOf(options.files, c.file) : undefined;
      const run = await sovereignRun(session, c, setups[variant], options.repoName, truthTokens, ring);
      prompts[variant] = promptScore(run.promptTokens, run.prefixTokens, run.suffixTokens, run.steps, forced, run.extraTokens);
      suggestions[variant] = suggestionScore(run.suggestion, c.truth, linePrefix, run.stop);
    }
    const score: CaseScore = { file: c.file, language: c.language, truthChars: c.truth.length, forcedChars: forced.length, prompts, suggestions };
    scores.push(score);
    onCase(score, index);
  }
  return scores;
}

interface SovereignRun {
  promptTokens: number;
  prefixTokens: number;
  suffixTokens: number;
  extraTokens: number;
  steps: ForcedStep[];
  suggestion: Suggestion | undefined;
  stop: string;
}

/**
 * One manual request through the extension's pipeline. The pipeline's call to the runtime is where
 * the truth is forced: after exactly the prompt the worker builds from those parameters, then
 * the completer generates from that prompt (its KV state reused).
 */
export async function sovereignRun(session: LikelihoodSession, c: LikelihoodCase, setup: SovereignSetup, repoName: string, truth: Token[], ring?: ContextRing): Promise<SovereignRun> {
  let forcedRun: Omit<SovereignRun, 'suggestion' | 'stop'> | undefined;
  let stop = 'none';
  const runtime: CompletionModel = {
    complete: async (params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> => {
      const prompt = session.completer.promptFor(params);
      const steps = await truthLogProbs(session.sequence, prompt.tokens, truth);
      forcedRun = { promptTokens: prompt.tokens.length, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens, extraTokens: prompt.extraTokens, steps };
      const result = await session.completer.complete(params, signal ?? new AbortController().signal);
      // The suggestion must come from the very prompt that was scored (the budget could move between).
      const held = session.sequence.contextTokens;
      if (prompt.tokens.some((t, i) => held[i] !== t)) throw new Error('the completer generated from another prompt than the one scored');
      stop = result.stats.stop;
      return result;
    },
  };
  const settings: CompletionSettings = { ...setup.settings, maxExtraTokens: ring ? setup.settings.maxExtraTokens : 0, speculate: false };
  const pipeline = new CompletionPipeline(runtime, () => settings, ring, silentLog);
  const lines = (c.prefix + c.suffix).split('\n');
  const line = c.prefix.split('\n').length - 1;
  const character = c.prefix.length - (c.prefix.lastIndexOf('\n') + 1);
  const input = completionInputAt({ lineCount: lines.length, lineAt: (i) => lines[i] }, line, character, setup.window, { filePath: c.file, repoName });
  const suggestion = await pipeline.provide(input, new AbortController().signal, true);
  if (!forcedRun) throw new Error(`the pipeline made no model request for ${c.file}`);
  return { ...forcedRun, suggestion, stop };
}

/** The ring after the run's other files were opened: each offers the chunk at its top (contextFeeder.ts). */
function ringOf(files: LikelihoodOptions['files'], current: string): ContextRing {
  const ring = new ContextRing();
  for (const f of files) {
    if (f.rel === current) continue;
    const lines = f.text.split('\n');
    ring.add({ path: f.rel, text: chunkAround({ lineCount: lines.length, lineAt: (i) => lines[i] }, 0, chunkLines) });
  }
  return ring;
}

function promptScore(promptTokens: number, prefixTokens: number, suffixTokens: number, steps: readonly ForcedStep[], forced: string, extraTokens = 0): PromptScore {
  const logProb = steps.reduce((sum, s) => sum + s.logProb, 0);
  return {
    promptTokens,
    prefixTokens,
    suffixTokens,
    extraTokens,
    truthTokens: steps.length,
    logProb,
    logProbPerChar: logProb / forced.length,
    topTokens: steps.filter((s) => s.top).length,
  };
}

/** What the user sees inserted, against what they typed. */
export function suggestionScore(suggestion: Suggestion | undefined, truth: string, linePrefix: string, stop: string): SuggestionScore {
  // A suggestion that replaces the line's indentation is compared with that indentation + the truth.
  const target = suggestion?.replaceIndent ? linePrefix + truth : truth;
  const shown = suggestion?.text ?? '';
  const firstLine = target.split('\n')[0];
  const wholeLines = shown !== '' && target.startsWith(shown) && (target.length === shown.length || target[shown.length] === '\n');
  // Characters of the truth: the indentation the line already had is not the suggestion's gain.
  const accepted = Math.max(0, acceptedChars(shown, target) - (target.length - truth.length));
  return { shown, exactLine: shown !== '' && shown === firstLine, exactLines: wholeLines, acceptedChars: accepted, stop };
}

const charClass = (ch: string) => (/[A-Za-z0-9_$]/.test(ch) ? 'word' : /\s/.test(ch) ? 'space' : ch);

/**
 * Characters a user keeps: the whole suggestion when the truth starts with it, else accepted word
 * by word up to the last word boundary before the first wrong character.
 */
export function acceptedChars(shown: string, target: string): number {
  let n = 0;
  while (n < shown.length && n < target.length && shown[n] === target[n]) n++;
  if (n === shown.length) return n;
  let k = n;
  while (k > 0 && charClass(shown[k - 1]) === charClass(shown[k])) k--;
  return k;
}
