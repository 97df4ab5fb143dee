/**
 * How long to wait after a keystroke before asking the model. While the user types faster than
 * the model answers, asking on every key only burns CPU on requests that will be cancelled; when
 * the model is fast, waiting only adds latency.
 *
 * Where a word or a line has just ended, users pause to read a suggestion; inside a word they
 * type on. So a keystroke that ends a word asks at once and one inside a word waits about a
 * typing interval. At once means no wait of ours: VS Code already waits 50 ms after a keystroke
 * before it calls an inline completion provider (its `InlineCompletionsDebounce`), so the
 * keystrokes of a fast typist reach us grouped anyway. Asking at once costs little when the next
 * key comes after all: the typed middle (src/fim/holeStart.ts) keeps what the cancelled request
 * evaluated, and the worker stops its generation within a token.
 */
export interface DebounceLimits {
  minMs: number;
  maxMs: number;
}

export class AdaptiveDebounce {
  private lastKeyAt = 0;
  private typingIntervalMs = 0;
  private modelLatencyMs = 0;

  keystroke(now: number): void {
    const gap = now - this.lastKeyAt;
    this.lastKeyAt = now;
    // Pauses longer than a second are thinking, not typing.
    if (gap > 0 && gap < 1000) this.typingIntervalMs = this.typingIntervalMs ? 0.7 * this.typingIntervalMs + 0.3 * gap : gap;
  }

  modelLatency(ms: number): void {
    this.modelLatencyMs = this.modelLatencyMs ? 0.7 * this.modelLatencyMs + 0.3 * ms : ms;
  }

  /**
   * Wait about one typing interval, but never longer than a model answer takes. The limits come
   * with each call (sovereign.completion.debounceMs, read per request); what was learned stays.
   */
  delayMs(limits: DebounceLimits, wordEnded = false): number {
    if (wordEnded) return 0;
    const wanted = Math.min(this.typingIntervalMs * 1.2, this.modelLatencyMs || limits.maxMs);
    return Math.round(Math.max(limits.minMs, Math.min(limits.maxMs, wanted)));
  }
}

/**
 * Whether the text left of the cursor ends a word or a line: nothing or only indentation on the
 * line (Enter was pressed, or the cursor sits at a line's start), or a last character that is
 * not part of an identifier (`(`, `.`, a space, `;`).
 */
export function endsWord(linePrefix: string): boolean {
  return linePrefix.trim() === '' || !/[\p{L}\p{N}_$]$/u.test(linePrefix);
}
