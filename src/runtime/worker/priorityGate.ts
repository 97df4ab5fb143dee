/**
 * Completion has priority over chat: while a completion holds the gate, chat generation waits
 * between tokens, so a keystroke never queues behind a long answer on a small CPU.
 *
 * Waiting between tokens is not enough on its own: the chat token already being decoded when a
 * completion arrives would run at the same time as the completion's, and two llama.cpp contexts
 * sharing two cores slow each other down many times over (measured: bench/chatPriority.ts).
 * So chat marks each step it runs, and completion waits for that one step to end first.
 */
export class PriorityGate {
  private holders = 0;
  private waiters: (() => void)[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /** Holds the gate until the returned release function is called (idempotent). */
  hold(): () => void {
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) for (const w of this.waiters.splice(0)) w();
    };
  }

  get held(): boolean {
    return this.holders > 0;
  }

  /**
   * For the lower-priority side: resolves at once, or when the last holder releases, or when
   * `signal` aborts (a stopped answer or embedding pass does not wait for completion to finish).
   */
  waitIfHeld(signal?: AbortSignal): Promise<void> {
    if (this.holders === 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }

  /** For the lower-priority side: runs one step (a token, a slice of prompt) that `whenIdle` waits for. */
  async step<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      if (--this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** For the priority side, after `hold()`: resolves once no lower-priority step is running. */
  whenIdle(): Promise<void> {
    return this.running === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
