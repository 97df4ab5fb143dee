/**
 * How long to wait after a keystroke before asking the model. While the user types faster than
 * the model answers, asking on every key only burns CPU on requests that will be cancelled; when
 * the model is fast, waiting only adds latency.
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
  delayMs(limits: DebounceLimits): number {
    const wanted = Math.min(this.typingIntervalMs * 1.2, this.modelLatencyMs || limits.maxMs);
    return Math.round(Math.max(limits.minMs, Math.min(limits.maxMs, wanted)));
  }
}
