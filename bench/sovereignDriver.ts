/**
 * Drives the REAL Sovereign request flow the way VS Code drives an inline completion provider:
 * `CompletionPipeline` (cache, type-through, adaptive debounce, speculation) over a `RuntimeClient`
 * on the built `dist/worker.js`. Each keystroke aborts the previous call's AbortController (VS Code
 * cancels the stale token) and calls `pipeline.provide(input, signal)` with the input the extension
 * builds (`completionInputAt`). The runtime is tracked by the extension's `CompletionActivity` and
 * the extra-context ring is fed through the extension's `ContextFeedScheduler`, with the offers
 * contextFeeder.ts makes for the editor events the harness plays: a chunk at line 0 when a file
 * opens and one around the cursor when its editor becomes active; after a change to the ring, a
 * warm-up at the cursor, as registerCompletion.ts does.
 */
import { isCancelled } from '../src/common/errors';
import { silentLog } from '../src/common/log';
import { CompletionActivity } from '../src/completion/completionActivity';
import { CompletionPipeline, type CompletionInput, type CompletionModel } from '../src/completion/completionPipeline';
import { completionInputAt, type WindowSettings } from '../src/completion/completionWindow';
import { ContextFeedScheduler } from '../src/completion/contextFeedScheduler';
import { ContextRing } from '../src/completion/contextRing';
import type { CompletionSettings } from '../src/config/completionSettings';
import { binarySniffChars, compileContentPolicy, type ContentUse } from '../src/common/contentPolicy';
import { defaultContextExclude } from '../src/common/exclusions';
import type { CompletionParams, CompletionResult, CompletionStats } from '../src/runtime/protocol';
import type { DocState, Driver, ProviderOutcome } from './driver';
import { sleep } from './stats';

export interface SovereignCall {
  id: number;
  kind: 'main' | 'speculative' | 'warmup';
  sentAt: number;
  doneAt?: number;
  /** another complete() was still running when this one was sent */
  behindOther: boolean;
  stats?: CompletionStats;
  cancelled: boolean;
  error?: string;
}

export interface SovereignProvide {
  version: number;
  startAt: number;
  /** when the engine called the runtime (after cache check and debounce) */
  callAt?: number;
  callId?: number;
  endAt?: number;
  /** preempted: the request was cancelled although the user had not typed on (a background request superseded it) */
  result: 'model' | 'cache' | 'typeThrough' | 'none' | 'preempted' | 'aborted' | 'error' | 'pending';
}

export interface SovereignDriverOptions {
  settings: CompletionSettings;
  prefixLines: number;
  suffixLines: number;
  repoName: string;
}

export class SovereignDriver implements Driver {
  readonly name = 'sovereign';
  onOutcome: (o: ProviderOutcome) => void = () => undefined;
  readonly pipeline: CompletionPipeline;
  readonly ring = new ContextRing();
  readonly calls: SovereignCall[] = [];
  readonly provides: SovereignProvide[] = [];
  private controller: AbortController | undefined;
  private readonly provideBySignal = new WeakMap<AbortSignal, SovereignProvide>();
  private inFlight = 0;
  /** Provide calls not yet answered, including those still in their debounce (no runtime call yet). */
  private openProvides = 0;
  private readonly docs = new Map<string, DocState>();
  /** The active editor's state (where a warm-up evaluates). */
  private active: DocState | undefined;
  private readonly feeder: ContextFeedScheduler<string>;
  private warmUps = 0;
  /** The extension's content policy with the default settings: every file is in the replayed workspace. */
  private readonly policy = compileContentPolicy({ contextExclude: defaultContextExclude, filesExclude: { folders: {}, elsewhere: [] } });

  constructor(
    runtime: CompletionModel,
    private readonly options: SovereignDriverOptions,
  ) {
    // As registerCompletion.ts: the engine's runtime is tracked for the feeder; the records the
    // benchmark keeps sit below, invisible to both.
    const activity = new CompletionActivity();
    const recorded: CompletionModel = { complete: (params, signal) => this.record(runtime, params, signal) };
    this.pipeline = new CompletionPipeline(activity.track(recorded), () => options.settings, this.ring, silentLog);
    this.feeder = new ContextFeedScheduler<string>({
      ring: this.ring,
      documentOf: (rel) => {
        const doc = this.docs.get(rel);
        return doc && { path: rel, lineCount: doc.lines.length, lineAt: (i) => doc.lines[i] };
      },
      admits: (rel, text) => this.allows('gathered', rel, text),
      lastCompletionAt: () => activity.lastActiveAt(),
      onChanged: () => {
        if (!this.active) return;
        this.warmUps++;
        void this.pipeline.warmUp(new AbortController().signal, this.inputFor(this.active));
      },
    });
  }

  /** The bookkeeping the benchmark needs around each runtime call. */
  private async record(runtime: CompletionModel, params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    const now = performance.now();
    const provide = signal && this.provideBySignal.get(signal);
    const call: SovereignCall = {
      id: this.calls.length,
      kind: provide ? 'main' : params.maxTokens <= 0 ? 'warmup' : 'speculative',
      sentAt: now,
      behindOther: this.inFlight > 0,
      cancelled: false,
    };
    this.calls.push(call);
    if (provide) {
      provide.callAt = now;
      provide.callId = call.id;
    }
    this.inFlight++;
    try {
      const result = await runtime.complete(params, signal);
      call.stats = result.stats;
      return result;
    } catch (e) {
      call.cancelled = isCancelled(e);
      if (!call.cancelled) call.error = String(e);
      throw e;
    } finally {
      call.doneAt = performance.now();
      this.inFlight--;
    }
  }

  /** WorkspaceContentPolicy.check for a replayed file (a `file:` URI inside the workspace folder). */
  private allows(use: ContentUse, rel: string, ...sent: string[]): boolean {
    const doc = this.docs.get(rel);
    if (!doc) return false;
    let start = '';
    for (let i = 0; i < doc.lines.length && start.length < binarySniffChars; i++) start += `${doc.lines[i]}\n`;
    const place = { scheme: 'file', path: `/${this.options.repoName}/${rel}`, folder: { key: this.options.repoName, relativePath: rel } };
    return this.policy.check(use, place, start, sent).allowed;
  }

  /** provider.ts's completionInputAt call for the harness's document. */
  private inputFor(doc: DocState): CompletionInput {
    const { settings, prefixLines, suffixLines, repoName } = this.options;
    const window: WindowSettings = { prefixLines, suffixLines, maxPrefixTokens: settings.maxPrefixTokens, maxSuffixTokens: settings.maxSuffixTokens };
    return completionInputAt({ lineCount: doc.lines.length, lineAt: (i) => doc.lines[i] }, doc.line, doc.character, window, { filePath: doc.rel, repoName });
  }

  private see(doc: DocState): void {
    this.docs.set(doc.rel, doc);
    this.active = doc;
  }

  open(doc: DocState, _previous: DocState | undefined): void {
    this.see(doc);
    // contextFeeder.ts: onDidOpenTextDocument offers line 0, onDidChangeActiveTextEditor the cursor's line.
    this.feeder.offer(doc.rel, 0);
    this.feeder.offer(doc.rel, doc.line);
  }

  change(doc: DocState): void {
    // contextFeeder.ts offers nothing for an edit in the active editor (the prompt holds it).
    this.see(doc);
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const input = this.inputFor(doc);
    // provider.ts's inputFor: no request where the content policy refuses the file or the window.
    if (!this.allows('editing', doc.rel, input.prefix, input.suffix)) {
      this.onOutcome({ version: doc.version, at: performance.now() });
      return;
    }
    const rec: SovereignProvide = { version: doc.version, startAt: performance.now(), result: 'pending' };
    this.provides.push(rec);
    this.provideBySignal.set(controller.signal, rec);
    this.openProvides++;
    this.pipeline.provide(input, controller.signal).finally(() => this.openProvides--).then(
      (s) => {
        rec.endAt = performance.now();
        if (controller.signal.aborted) {
          rec.result = 'aborted';
          return;
        }
        if (!s) {
          rec.result = rec.callId !== undefined && this.calls[rec.callId].cancelled ? 'preempted' : 'none';
          this.onOutcome({ version: doc.version, at: rec.endAt });
          return;
        }
        rec.result = s.source;
        const outcome: ProviderOutcome = { version: doc.version, at: rec.endAt, text: s.text, source: s.source, replaceIndent: s.replaceIndent };
        const call = rec.callId !== undefined ? this.calls[rec.callId] : undefined;
        if (s.source === 'model' && s.stats && call && rec.callAt !== undefined) {
          const st = s.stats;
          outcome.breakdown = {
            debounceMs: rec.callAt - rec.startAt,
            staleMs: Math.max(0, rec.endAt - rec.callAt - st.totalMs),
            promptMs: st.promptMs,
            generateMs: st.generateMs,
            promptTokens: st.reusedTokens + st.evaluatedTokens,
            evaluatedTokens: st.evaluatedTokens,
            reusedTokens: st.reusedTokens,
            generatedTokens: st.generatedTokens,
          };
        }
        this.onOutcome(outcome);
      },
      (e: unknown) => {
        rec.endAt = performance.now();
        rec.result = 'error';
        process.stderr.write(`[sovereign] provide failed: ${String(e)}\n`);
        if (!controller.signal.aborted) this.onOutcome({ version: doc.version, at: rec.endAt });
      },
    );
  }

  move(doc: DocState): void {
    this.see(doc);
    this.controller?.abort();
    this.controller = undefined;
  }

  async quiesce(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    const busy = () => this.openProvides > 0 || this.inFlight > 0 || this.feeder.pendingCount > 0;
    while (busy() && performance.now() < end) await sleep(50);
    return !busy();
  }

  summary(): Record<string, unknown> {
    return {
      engine_counters: { ...this.pipeline.counters },
      provides_preempted_by_background: this.provides.filter((p) => p.result === 'preempted').length,
      ring_chunks: this.ring.list().length,
      warm_ups: this.warmUps,
    };
  }

  async dispose(): Promise<void> {
    this.feeder.dispose();
    this.controller?.abort();
  }
}
