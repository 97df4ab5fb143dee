import { CancelledError } from '../../common/errors';
import type { CompletionCounts, CompletionParams, CompletionResult, CompletionStats } from '../protocol';
import type { FimFormat, FimPrompt } from './fimFormat';
import { checkStop } from './generationStops';
import type { LlamaContextSequence, Token } from './nodeLlamaCpp';
import type { PriorityGate } from './priorityGate';
import { AdaptiveThreads } from './adaptiveThreads';
import { PromptBudget, PromptRate } from './promptBudget';
import { MAX_DRAFT, PromptLookup } from './promptLookup';
import { planKvReuse } from './planKvReuse';
import { choosePlace } from './choosePlace';
import { HoleStart } from '../../fim/holeStart';
import { charsPerToken } from '../../common/charsPerToken';

/**
 * Prompt tokens evaluated per step, so a cancelled request stops within one step. No decode of the
 * completer is larger (a keystroke's first decode, prompt slices, drafts), so the completion
 * context's batch, and with it llama.cpp's compute buffers, is sized to it (modelHost.ts).
 */
export const EVAL_STEP_TOKENS = 64;
/** Tokens evaluated (and not measured) before calibrating: the first evaluation pages the weights in. */
const MIN_WARM_TOKENS = 16;

/** One context sequence and what the completer knows of the last prompt it holds. */
interface Place {
  sequence: LlamaContextSequence;
  /** The last prompt's prefix text and where its cut started (FimFormat.build's `prefixFloor`). */
  lastCut: { text: string; start: number } | undefined;
  /**
   * The last prompt it was given. A place is chosen by this, not by what its cache holds: a request
   * cancelled while evaluating leaves part of the prompt there, and the next keystroke belongs there.
   */
  assigned: readonly Token[];
  /** When it last served a prompt (a counter; 0 = never). */
  lastUsed: number;
}

/**
 * Runs completions one at a time on the context's sequences, each kept aligned with the last
 * prompt it served, so a keystroke evaluates only the tokens that changed, and a jump back to a
 * place worked at recently finds its prompt still there (choosePlace.ts).
 */
export class FimCompleter {
  private running: Promise<unknown> = Promise.resolve();
  private current: AbortController | undefined;
  private readonly rate = new PromptRate();
  private readonly budget = new PromptBudget(this.rate);
  private readonly hole = new HoleStart();
  private readonly places: Place[];
  private uses = 0;

  constructor(
    /** One sequence, or several of one context: a place each (choosePlace.ts). */
    sequences: LlamaContextSequence | readonly [LlamaContextSequence, ...LlamaContextSequence[]],
    private readonly format: FimFormat,
    private readonly gate: PriorityGate,
    private readonly counts: CompletionCounts = { received: 0, evaluated: 0, generated: 0, completed: 0, promptTokens: 0, evaluatedTokens: 0 },
    /** The thread count per step; fixed at the context's count where none is given (the quality bench). */
    private readonly threads: AdaptiveThreads = new AdaptiveThreads(('context' in sequences ? sequences : sequences[0]).context.idealThreads, () => undefined, false),
    /** Draft tokens from the prompt and verify them in one batch (promptLookup.ts). */
    private readonly promptLookup = false,
    /**
     * Reuse cached runs of at least this many tokens at new positions (planKvReuse.ts); 0 = only
     * the common prefix. One evaluation step: a shorter run costs little to evaluate again.
     */
    private readonly reuseMinRun = 0,
  ) {
    this.places = ('context' in sequences ? [sequences] : sequences).map((sequence) => ({ sequence, lastCut: undefined, assigned: [], lastUsed: 0 }));
  }

  /** A sequence of the context: they all have the same size and model. */
  private get sequence(): LlamaContextSequence {
    return this.places[0].sequence;
  }

  /** A newer request supersedes the one in flight: it is aborted down to the token loop. */
  complete(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    // Warming the cache while idle must never cost the user a suggestion in the making.
    if (params.maxTokens <= 0 && this.current) return Promise.reject(new CancelledError());
    this.counts.received++;
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) controller.abort();
    const run = this.running.then(() => this.run(params, controller.signal));
    this.running = run.catch(() => undefined);
    return run.then((result) => {
      this.counts.completed++;
      return result;
    }).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (this.current === controller) this.current = undefined;
    });
  }

  /**
   * Measures this machine's prompt speed once, right after loading, so the first request's prompt
   * already fits the time budget (see promptBudget.ts). The first small evaluation pages the
   * weights in and is not counted.
   */
  async calibrate(): Promise<void> {
    const sequence = this.sequence;
    const sample = sequence.model.tokenize('export function total(items: { price: number; count: number }[]): number {\n  let sum = 0;\n  for (const item of items) sum += item.price * item.count;\n  return sum;\n}\n'.repeat(4));
    const release = this.gate.hold();
    try {
      await this.gate.whenIdle();
      await sequence.evaluateWithoutGeneratingNewTokens(sample.slice(0, MIN_WARM_TOKENS));
      const start = performance.now();
      const measured = sample.slice(MIN_WARM_TOKENS, MIN_WARM_TOKENS + EVAL_STEP_TOKENS);
      await sequence.evaluateWithoutGeneratingNewTokens(measured);
      this.rate.observe(measured.length, performance.now() - start);
      await sequence.eraseContextTokenRanges([{ start: 0, end: sequence.nextTokenIndex }]);
    } finally {
      release();
    }
  }

  /** Tokens a second this context evaluates prompts at (undefined before anything was measured). */
  get promptTokensPerSecond(): number | undefined {
    return this.rate.tokensPerSecond;
  }

  /**
   * The prompt a request gets now: its token bounds, lowered to the context's room and to the
   * prompt budget at the measured speed; the place that will hold it keeps its cut. The quality
   * bench scores the model's likelihood of what the user typed after exactly this prompt
   * (bench/quality/likelihood.ts).
   */
  promptFor(params: CompletionParams): FimPrompt {
    return this.prepare(params).prompt;
  }

  private buildPrompt(params: CompletionParams): FimPrompt {
    const room = Math.max(16, this.sequence.contextSize - params.maxTokens - 4);
    const maxPrefixTokens = Math.min(params.maxPrefixTokens, Math.floor(room * 0.6));
    const maxSuffixTokens = Math.min(params.maxSuffixTokens, Math.floor(room * 0.2));
    // Extra context may fill what the prefix and suffix bounds leave of the room (as llama-server's
    // /infill does), never less than a fifth of it.
    const extraRoom = Math.max(Math.floor(room * 0.2), room - maxPrefixTokens - maxSuffixTokens);
    const caps = this.budget.caps(
      { maxPrefixTokens, maxSuffixTokens, maxExtraTokens: Math.min(params.maxExtraTokens ?? 0, extraRoom) },
      params.promptBudgetMs ?? 0,
      this.format.suffixFirst || this.format.typedMiddle,
    );
    // The typed middle may take up to half the prefix budget (in the fewest characters that many
    // tokens can be): what the hole keeps longer saves the suffix from a keystroke's re-evaluation.
    const { prefix, middle } = this.format.typedMiddle
      ? this.hole.split(params.prefix, Math.floor(caps.maxPrefixTokens / 2) * charsPerToken.fewest)
      : { prefix: params.prefix, middle: '' };
    return this.format.build(
      { prefix, middle, suffix: params.suffix, extra: params.extra ?? [], filePath: params.filePath, repoName: params.repoName },
      caps,
      this.prefixFloor(prefix),
    );
  }

  /**
   * While the text a place's prompt keeps of the prefix (from its cut to its hole) is still in the
   * new prefix, whole and at a line start, the cut stays there or moves down: the floor is where
   * that text now starts (the longest such text, if several places have one). A prompt that kept
   * the whole prefix gives a floor only while the new prefix starts with it. So it holds while
   * the user types, when a longer middle had pushed the cut down a block, when the editor's window
   * dropped lines from its top or, after a jump away and back, starts higher again, and when a
   * nearby place's prompt holds the start of this one's.
   */
  private prefixFloor(prefix: string): number {
    let floor = 0;
    let longest = 0;
    for (const { lastCut: cut } of this.places) {
      const kept = cut ? cut.text.slice(cut.start) : '';
      if (!cut || kept.length <= longest) continue;
      for (let at = prefix.indexOf(kept); at >= 0; at = prefix.indexOf(kept, at + 1)) {
        // A prompt that kept the whole prefix keeps what is written above it, an edit: a new cut.
        if (at > 0 && (cut.start === 0 || prefix[at - 1] !== '\n')) continue;
        floor = at;
        longest = kept.length;
        break;
      }
    }
    return floor;
  }

  /**
   * The prompt and the place it goes to (choosePlace.ts), which from now on holds it: a newer
   * request may start from it even if this one is cancelled before it is evaluated.
   */
  private prepare(params: CompletionParams): { prompt: FimPrompt; sequence: LlamaContextSequence } {
    const prompt = this.buildPrompt(params);
    const states = this.places.map((p) => ({ tokens: p.assigned, lastUsed: p.lastUsed }));
    const place = this.places[choosePlace(states, prompt.tokens, prompt.stableLength, this.reuseMinRun, EVAL_STEP_TOKENS)];
    place.lastCut = { text: prompt.prefixText, start: prompt.prefixStart };
    place.assigned = prompt.tokens;
    place.lastUsed = ++this.uses;
    return { prompt, sequence: place.sequence };
  }

  private async run(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    if (signal.aborted) throw new CancelledError();
    const release = this.gate.hold();
    try {
      await this.gate.whenIdle(); // a chat token being decoded finishes first: never two on the cores
      return await this.generate(params, signal);
    } finally {
      release();
    }
  }

  /**
   * Greedy generation like `sequence.evaluate(last prompt token)`, but a step for which the prompt
   * suggests what follows (promptLookup.ts) also evaluates those drafts, and keeps those the
   * model's own greedy choices confirm: the same tokens, fewer decode steps when the completion
   * repeats the prompt. Steps without drafts go through one plain `evaluate` iterator: a
   * `controlledEvaluate` per token costs a sampler per step (measured +50 % a token on fim-qwen2).
   */
  private async *speculate(sequence: LlamaContextSequence, prompt: Token[], first: Token[], counts: { draftedTokens: number; acceptedTokens: number }): AsyncGenerator<Token> {
    const lookup = new PromptLookup(prompt);
    const history = prompt.slice();
    const next = { generateNext: { token: true, options: { temperature: 0 } } };
    const plain = sequence.evaluate(first, { temperature: 0 });
    try {
      let step = await plain.next();
      if (step.done) return;
      let chosen: Token[] = [step.value];
      for (;;) {
        for (const token of chosen) {
          history.push(token);
          yield token;
        }
        const pending = chosen[chosen.length - 1]; // chosen, not yet in the cache
        // Never into a context shift: drafts stop short of the end of the context.
        const drafts = lookup.draft(history, Math.min(MAX_DRAFT, sequence.contextSize - sequence.nextTokenIndex - 2));
        if (drafts.length === 0) {
          step = await plain.next(pending);
          if (step.done) return;
          chosen = [step.value];
          continue;
        }
        const start = sequence.nextTokenIndex;
        const out = await sequence.controlledEvaluate([pending, ...drafts].map((t): [Token, typeof next] => [t, next]));
        chosen = [];
        for (let i = 0; i <= drafts.length; i++) {
          const token = out[i]?.next.token;
          if (token === undefined || token === null) return;
          chosen.push(token);
          if (i === drafts.length || drafts[i] !== token) break;
        }
        const accepted = chosen.length - 1;
        counts.draftedTokens += drafts.length;
        counts.acceptedTokens += accepted;
        // The cache keeps the pending token and the confirmed drafts; the last chosen token is evaluated next.
        if (accepted < drafts.length) await sequence.eraseContextTokenRanges([{ start: start + 1 + accepted, end: sequence.nextTokenIndex }]);
      }
    } finally {
      await plain.return(undefined);
    }
  }

  private async generate(params: CompletionParams, signal: AbortSignal): Promise<CompletionResult> {
    this.counts.evaluated++;
    const start = performance.now();
    const { prompt: built, sequence } = this.prepare(params);
    const prompt = built.tokens;
    const model = sequence.model;

    // Keep the longest common prefix of the KV state. When generating, the last prompt token is
    // evaluated again: its logits give the first generated token.
    const warmup = params.maxTokens <= 0;
    let firstDifferent = sequence.compareContextTokens(prompt).firstDifferentIndex;
    let shiftedTokens = 0;
    if (this.reuseMinRun > 0 && firstDifferent < sequence.nextTokenIndex) {
      const plan = planKvReuse(sequence.contextTokens, prompt, this.reuseMinRun);
      if (plan.kept > firstDifferent) {
        await sequence.eraseContextTokenRanges(plan.erase);
        shiftedTokens = plan.kept - firstDifferent;
        firstDifferent = sequence.compareContextTokens(prompt).firstDifferentIndex;
      }
    }
    const reused = Math.min(firstDifferent, warmup ? prompt.length : prompt.length - 1);
    if (sequence.nextTokenIndex > reused) {
      await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
    }
    const toEvaluate = prompt.slice(reused);
    // A keystroke's few tokens go into generation's first decode with the last one: one model step
    // instead of two (each costs about a generated token's time, whatever its size). A longer
    // prompt is evaluated in steps first, so that a newer request stops it within one.
    const head = warmup ? toEvaluate : toEvaluate.length <= EVAL_STEP_TOKENS ? [] : toEvaluate.slice(0, -1);
    const first = toEvaluate.slice(head.length);
    this.counts.promptTokens += prompt.length;
    for (let i = 0; i < head.length; i += EVAL_STEP_TOKENS) {
      if (signal.aborted) throw new CancelledError();
      const step = head.slice(i, i + EVAL_STEP_TOKENS);
      const stepStart = performance.now();
      // Only full slices teach the prompt tuner: a short one costs more per token.
      await this.threads.step(this.threads.prompt, step.length, () => sequence.evaluateWithoutGeneratingNewTokens(step), step.length === EVAL_STEP_TOKENS);
      this.counts.evaluatedTokens += step.length;
      this.rate.observe(step.length, performance.now() - stepStart);
    }
    const drafts = this.promptLookup ? { draftedTokens: 0, acceptedTokens: 0 } : undefined;
    const stats = (stop: CompletionStats['stop'], generated: number, firstTokenAt: number): CompletionStats => {
      const end = performance.now();
      return {
        ...drafts,
        reusedTokens: reused,
        ...(this.reuseMinRun > 0 ? { shiftedTokens: Math.min(shiftedTokens, reused) } : {}),
        evaluatedTokens: toEvaluate.length,
        generatedTokens: generated,
        promptMs: Math.round((firstTokenAt || end) - start),
        generateMs: Math.round(end - (firstTokenAt || end)),
        totalMs: Math.round(end - start),
        stop,
        threads: this.threads.threads,
      };
    };
    if (warmup) return { text: '', stats: stats('warmup', 0, 0) };
    if (signal.aborted) throw new CancelledError();

    const rules = { singleLine: params.singleLine ?? false, indent: params.indent ?? 0, timeBudgetMs: params.timeBudgetMs ?? 0 };
    const generated: Token[] = [];
    let text = '';
    let stop: CompletionStats['stop'] = 'maxTokens';
    let firstTokenAt = 0;
    this.counts.generated++;
    this.counts.evaluatedTokens += first.length; // with the last prompt token, evaluated again for its logits
    const iterator = drafts ? this.speculate(sequence, prompt, first, drafts) : sequence.evaluate(first, { temperature: 0 });
    try {
      // Each next() decodes one token: the thread count can change between two of them. With
      // drafts, one next() may verify several and the ones after it cost nothing: those steps
      // use the tuner's count without teaching it.
      for (;;) {
        // The first step teaches nothing: it also builds the request's sampler and evaluates what
        // was typed, and cost 40-90 ms where the next ones cost 30 (2 threads, quiet, the replay).
        // Fed to the tuner, it made 2 threads look slow while the user typed (most requests end
        // after it), and a quiet machine ran half its suggestions on 1 thread.
        const learn = !drafts && generated.length > 0;
        const step = await this.threads.step(this.threads.decode, 1, () => iterator.next(), learn);
        if (step.done) break;
        const token = step.value;
        if (!firstTokenAt) firstTokenAt = performance.now();
        if (signal.aborted) break;
        if (model.isEogToken(token)) {
          stop = 'eog';
          break;
        }
        if (this.format.stopTokens.has(token)) {
          stop = 'stopToken';
          break;
        }
        generated.push(token);
        const previousLength = text.length;
        text = model.detokenize(generated);
        const decision = checkStop(text, rules, performance.now() - firstTokenAt, previousLength);
        if (decision) {
          text = decision.text;
          stop = decision.reason;
          break;
        }
        if (generated.length >= params.maxTokens) break;
      }
    } finally {
      await iterator.return(undefined);
    }
    if (signal.aborted) throw new CancelledError();
    return { text, stats: stats(stop, generated.length, firstTokenAt) };
  }
}

