import type { FeedTimers } from '../../src/completion/contextFeedScheduler';

/** A clock that moves only when the test says so: what must not have happened yet is checked at an exact time, with no sleep. */
export class FakeTimers implements FeedTimers {
  private time = 0;
  private queue: { at: number; run: () => void; id: number }[] = [];
  private ids = 0;
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.queue.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  /** Moves to `to`, running each timer due on the way at its own time. */
  advanceTo(to: number): void {
    for (;;) {
      const next = [...this.queue].sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > to) break;
      this.queue = this.queue.filter((t) => t !== next);
      this.time = next.at;
      next.run();
    }
    this.time = to;
  }
  get scheduled(): number {
    return this.queue.length;
  }
}
