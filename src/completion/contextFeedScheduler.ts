import type { LineSource } from './completionWindow';
import { chunkAround, type ContextRing } from './contextRing';

/** Lines a chunk takes from a file (llama.vscode's measured choice). */
export const chunkLines = 64;
/** A chunk enters the ring only when no completion ran this recently, so typing stays light. */
export const quietMs = 3000;
/** Shortest wait before a flush: offers that come together (open, then activate) enter together. */
const minWaitMs = 250;

/** The clock and timer the scheduler runs on (tests pass a fake one). */
export interface FeedTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realFeedTimers: FeedTimers = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A document as the ring sees it: its workspace-relative path and its lines now. */
export interface FeedDocument extends LineSource {
  readonly path: string;
}

export interface ContextFeedOptions<Key> {
  ring: ContextRing;
  /** The offered document as it is at flush time; undefined when it is gone or may not enter. */
  documentOf(key: Key): FeedDocument | undefined;
  /** May this chunk of `key` reach a model (the content policy's check of text about to be sent)? */
  admits(key: Key, text: string): boolean;
  /** When a completion last ran (now while one runs): see CompletionActivity. */
  lastCompletionAt(): number;
  /** The ring changed: evaluate the new context now, while the user is idle, not on the next keystroke. */
  onChanged(): void;
  timers?: FeedTimers;
}

/**
 * When offered code enters the extra-context ring, free of `vscode`: the extension's feeder
 * (contextFeeder.ts) and the benchmark turn editor events into offers; this keeps them pending
 * until no completion has run for `quietMs`, then cuts each chunk from the document as it is then.
 */
export class ContextFeedScheduler<Key> {
  private readonly pending: { key: Key; line: number; text?: string }[] = [];
  private readonly timers: FeedTimers;
  private timer: unknown;
  private disposed = false;

  constructor(private readonly options: ContextFeedOptions<Key>) {
    this.timers = options.timers ?? realFeedTimers;
  }

  /** Code of `key` around `line` (or exactly `text`, e.g. a copied selection) should enter the ring. */
  offer(key: Key, line: number, text?: string): void {
    if (this.disposed) return;
    this.pending.push({ key, line, text });
    this.schedule();
  }

  /** Offers not yet flushed. */
  get pendingCount(): number {
    return this.pending.length;
  }

  dispose(): void {
    this.disposed = true;
    this.pending.length = 0;
    this.timers.clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timers.clearTimeout(this.timer);
    const wait = Math.max(minWaitMs, quietMs - (this.timers.now() - this.options.lastCompletionAt()));
    this.timer = this.timers.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    if (this.timers.now() - this.options.lastCompletionAt() < quietMs) return this.schedule();
    let changed = false;
    for (const item of this.pending.splice(0)) {
      const doc = this.options.documentOf(item.key);
      if (!doc) continue;
      const text = item.text ?? chunkAround(doc, item.line, chunkLines);
      if (!this.options.admits(item.key, text)) continue;
      changed = this.options.ring.add({ path: doc.path, text }) || changed;
    }
    if (changed) this.options.onChanged();
  }
}
