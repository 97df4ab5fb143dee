/**
 * When relevant code from other files is looked up for completion, free of `vscode`: after the
 * cursor rests (a move or a keystroke), in the background, never on a request's path. A look-up
 * whose question (file and identifiers near the cursor) is the one asked last is skipped; a new
 * one abandons the one still running. What it finds is offered where the ring's own chunks go
 * (ContextFeedScheduler: the content policy's check, then the ring when no completion runs), so a
 * request uses what is ready and the rest arrives for the next one.
 */
import type { ExtraCandidate } from './codebaseExtras';
import { codebaseQuestion, lookUpCodebase, type CodebaseCursor, type CodebaseLimits, type CodebaseSources } from './codebaseLookup';
import { realFeedTimers, type FeedTimers } from './contextFeedScheduler';
import type { RingChunk } from './contextRing';

/** The cursor rests this long before a look-up starts: typing a word asks once, not per letter. */
export const restMs = 300;

export interface CodebaseContextOptions {
  sources: CodebaseSources;
  limits: () => CodebaseLimits;
  /** What the ring holds now (an extra it already has is not offered again). */
  present(): readonly RingChunk[];
  /** An extra to enter the ring (through the feed scheduler). */
  offer(extra: ExtraCandidate): void;
  /** A look-up failed (logged at debug level by the caller). */
  failed?(error: unknown): void;
  timers?: FeedTimers;
}

export class CodebaseContext {
  private readonly timers: FeedTimers;
  private timer: unknown;
  private running: AbortController | undefined;
  private lastQuestion = '';
  private disposed = false;

  constructor(private readonly options: CodebaseContextOptions) {
    this.timers = options.timers ?? realFeedTimers;
  }

  /** The cursor moved or the user typed; `cursor` is read when the cursor has rested (undefined: nothing to ask). */
  cursorMoved(cursor: () => CodebaseCursor | undefined): void {
    if (this.disposed) return;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => void this.lookUp(cursor()), restMs);
  }

  dispose(): void {
    this.disposed = true;
    this.timers.clearTimeout(this.timer);
    this.running?.abort();
  }

  private async lookUp(cursor: CodebaseCursor | undefined): Promise<void> {
    if (!cursor || this.disposed) return;
    const limits = this.options.limits();
    const names = codebaseQuestion(cursor, limits);
    const question = `${cursor.file}\n${names.map((n) => n.name).join(' ')}`;
    if (names.length === 0 || question === this.lastQuestion) return;
    this.lastQuestion = question;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    try {
      const extras = await lookUpCodebase(cursor, names, () => this.options.present(), this.options.sources, limits, controller.signal, this.timers);
      if (controller.signal.aborted || this.disposed) return;
      for (const extra of extras) this.options.offer(extra);
    } catch (e) {
      if (!controller.signal.aborted) this.options.failed?.(e);
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }
}
