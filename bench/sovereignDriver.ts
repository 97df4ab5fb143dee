/**
 * Drives the REAL Sovereign request flow the way VS Code drives an inline completion provider:
 * `CompletionEngine` (cache, type-through, adaptive debounce, speculation) over a `RuntimeClient`
 * on the built `dist/worker.js`. Each keystroke aborts the previous call's AbortController (VS Code
 * cancels the stale token) and calls `engine.provide(input, signal)` with the same bounded window the
 * extension builds (`completionWindow`). The extra-context ring is fed like the extension's
 * contextFeeder (src/completion/contextFeeder.ts, which needs `vscode`, so its logic is repeated
 * here): a chunk at line 0 when a file opens and one around the cursor when its editor becomes
 * active, entering the ring only after 3 s without a completion, then a warm-up request.
 */
import { isCancelled } from '../src/common/errors';
import { silentLog } from '../src/common/log';
import { CompletionEngine, type CompletionInput, type CompletionRuntime } from '../src/completion/completionEngine';
import { completionWindow, windowLimits } from '../src/completion/completionWindow';
import type { CompletionSettings } from '../src/config/completionSettings';
import { chunkAround, ContextRing } from '../src/completion/contextRing';
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

/** contextFeeder.ts: lines of a chunk, and how long no completion must have run before a chunk enters. */
const chunkLines = 64;
const quietMs = 3000;

export class SovereignDriver implements Driver {
  readonly name = 'sovereign';
  onOutcome: (o: ProviderOutcome) => void = () => undefined;
  readonly engine: CompletionEngine;
  readonly ring = new ContextRing();
  readonly calls: SovereignCall[] = [];
  readonly provides: SovereignProvide[] = [];
  private controller: AbortController | undefined;
  private readonly provideBySignal = new WeakMap<AbortSignal, SovereignProvide>();
  private inFlight = 0;
  private lastCompletionAt = -Infinity;
  private readonly docs = new Map<string, DocState>();
  private pendingChunks: { rel: string; line: number }[] = [];
  private feederTimer: NodeJS.Timeout | undefined;
  private ringAdds = 0;
  private warmUps = 0;

  constructor(
    runtime: CompletionRuntime,
    private readonly options: SovereignDriverOptions,
  ) {
    const wrapped: CompletionRuntime = { complete: (params, signal) => this.complete(runtime, params, signal) };
    this.engine = new CompletionEngine(wrapped, () => options.settings, this.ring, silentLog);
  }

  /** registerCompletion.ts's runtime wrapper, plus the bookkeeping the benchmark needs. */
  private async complete(runtime: CompletionRuntime, params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    const now = performance.now();
    if (params.maxTokens > 0) this.lastCompletionAt = now;
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

  open(doc: DocState, _previous: DocState | undefined): void {
    this.docs.set(doc.rel, doc);
    // onDidOpenTextDocument → offer(d, 0); onDidChangeActiveTextEditor → offer(doc, cursor line)
    this.offer(doc.rel, 0);
    this.offer(doc.rel, doc.line);
  }

  change(doc: DocState): void {
    this.docs.set(doc.rel, doc);
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const input: CompletionInput = {
      ...completionWindow({ lineCount: doc.lines.length, lineAt: (i) => doc.lines[i] }, doc.line, doc.character, windowLimits({ ...this.options.settings, prefixLines: this.options.prefixLines, suffixLines: this.options.suffixLines })),
      filePath: doc.rel,
      repoName: this.options.repoName,
    };
    const rec: SovereignProvide = { version: doc.version, startAt: performance.now(), result: 'pending' };
    this.provides.push(rec);
    this.provideBySignal.set(controller.signal, rec);
    this.engine.provide(input, controller.signal).then(
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
    this.docs.set(doc.rel, doc);
    this.controller?.abort();
    this.controller = undefined;
  }

  // --- contextFeeder.ts, without vscode ---------------------------------------------------------

  private offer(rel: string, line: number): void {
    this.pendingChunks.push({ rel, line });
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.feederTimer);
    const wait = Math.max(250, quietMs - (performance.now() - this.lastCompletionAt));
    this.feederTimer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    if (performance.now() - this.lastCompletionAt < quietMs) return this.schedule();
    let changed = false;
    for (const item of this.pendingChunks.splice(0)) {
      const doc = this.docs.get(item.rel);
      if (!doc) continue;
      const text = chunkAround({ lineCount: doc.lines.length, lineAt: (i) => doc.lines[i] }, item.line, chunkLines);
      const added = this.ring.add({ path: item.rel, text });
      if (added) this.ringAdds++;
      changed = added || changed;
    }
    if (changed) {
      this.warmUps++;
      void this.engine.warmUp(new AbortController().signal);
    }
  }

  async quiesce(timeoutMs: number): Promise<void> {
    const end = performance.now() + timeoutMs;
    while ((this.inFlight > 0 || this.pendingChunks.length > 0) && performance.now() < end) await sleep(50);
  }

  summary(): Record<string, unknown> {
    return {
      engine_counters: { ...this.engine.counters },
      provides_preempted_by_background: this.provides.filter((p) => p.result === 'preempted').length,
      ring_chunks: this.ring.list().length,
      ring_adds: this.ringAdds,
      warm_ups: this.warmUps,
    };
  }

  async dispose(): Promise<void> {
    clearTimeout(this.feederTimer);
    this.controller?.abort();
  }
}
