/**
 * Completion has priority over chat: while a completion holds the gate, chat generation waits
 * between tokens, so a keystroke never queues behind a long answer on a small CPU.
 */
export class PriorityGate {
  private holders = 0;
  private waiters: (() => void)[] = [];

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

  waitIfHeld(): Promise<void> {
    return this.holders === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
