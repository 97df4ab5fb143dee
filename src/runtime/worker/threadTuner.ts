/**
 * How many threads the next evaluation step uses, from what the last steps measured.
 *
 * ggml's thread team spins at its barriers, so when another process takes a core, one preempted
 * thread stalls them all: beside a competing job, 2 threads decoded 25× slower than 1 on a 2-core
 * machine (issue 12), while on a quiet machine 2 threads are the faster. Neither count is right
 * everywhere, and the machine changes under us (a build starts, an indexer stops). So the tuner
 * keeps the recent cost per token of each thread count it has tried, uses the cheapest, and now and
 * then spends a step or two on the neighbouring count to see whether the machine changed.
 *
 * A probe is short and backs off: one that loses doubles the wait before the next (up to
 * `maxProbeEveryMs`), one that wins switches at once and resets the wait; a first step that
 * costs over twice the count in use ends the probe there. On a quiet machine the
 * probes cost a few slower tokens every half minute; on a busy one they find the way back as soon
 * as the competitor stops.
 *
 * Below all threads, the CPU counters (`freeCores`, otherLoad.ts) can also start a probe of one
 * more at once: when other processes leave that many cores free, whatever the back-off. Timings
 * alone come back late after typing: a few slow steps while the user types step the count down,
 * and when the user stops it stays low until the next probe is due. A probe the counters asked
 * for that loses (a container whose counters are the host's) makes the tuner ignore them for
 * `maxProbeEveryMs`.
 *
 * Pure (clock injected): the worker feeds it step timings, fimCompleter.ts applies its choice.
 */
export interface ThreadTunerOptions {
  /** First wait between probes, and the wait after a probe that won. */
  probeEveryMs: number;
  /** The longest wait between probes (after probes that kept losing). */
  maxProbeEveryMs: number;
  /** Steps measured per probe (the cost estimate is their median). */
  probeSteps: number;
  /**
   * A count's cost is the median of its last this many steps: one step that the editor's own work
   * preempted (a keystroke being handled beside the decode) moves nothing, two in a row do.
   */
  window: number;
}

export const defaultThreadTunerOptions: ThreadTunerOptions = { probeEveryMs: 2_000, maxProbeEveryMs: 32_000, probeSteps: 2, window: 3 };

interface Estimate {
  /** Milliseconds per token: the median of `recent`. */
  msPerToken: number;
  /** The last steps' costs per token, oldest first (at most `window`). */
  recent: number[];
  at: number;
}

/** Free cores short of a count that still count as room for it: the counters tick in 10 ms steps, and a daemon's wake-up is no competitor. */
const slackCores = 0.25;

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export class ThreadTuner {
  private readonly estimates = new Map<number, Estimate>();
  private probe: { threads: number; samples: number[]; counters: boolean } | undefined;
  /** The counters may start a probe from this time on (later after one they started lost). */
  private trustCountersFrom = -Infinity;
  private probeEveryMs: number;
  /** The cost per token of the count in use when it was last compared with a neighbour. */
  private baseline = Infinity;
  private nextProbeAt: number;
  private chosen: number;

  constructor(
    /** The most threads to use (the configured count). */
    readonly maxThreads: number,
    private readonly now: () => number = () => performance.now(),
    private readonly options: ThreadTunerOptions = defaultThreadTunerOptions,
    /** Told when the count in use changes, with the estimates that made it change. */
    private readonly onChange: (threads: number, why: string) => void = () => undefined,
    /** Cores other processes leave free just now (otherLoad.ts); undefined where unknown. */
    private readonly freeCores: () => number | undefined = () => undefined,
  ) {
    this.chosen = Math.max(1, maxThreads);
    this.probeEveryMs = options.probeEveryMs;
    this.nextProbeAt = now() + options.probeEveryMs;
  }

  /** The count in use outside probes: what the status bar reports. */
  get threads(): number {
    return this.chosen;
  }

  /** Threads for the next step. */
  next(): number {
    if (this.maxThreads <= 1) return 1;
    if (this.probe) return this.probe.threads;
    const more = this.chosen + 1;
    if (more <= this.maxThreads && this.now() >= this.trustCountersFrom && (this.freeCores() ?? 0) >= more - slackCores) {
      this.probe = { threads: more, samples: [], counters: true };
      return more;
    }
    if (this.now() < this.nextProbeAt) return this.chosen;
    // Probe the neighbour (one fewer or one more) measured longest ago: one fewer is the way out
    // of a busy machine, one more the way back once it is quiet.
    const neighbours = [this.chosen - 1, this.chosen + 1].filter((t) => t >= 1 && t <= this.maxThreads);
    const candidate = neighbours.sort((a, b) => (this.estimates.get(a)?.at ?? -Infinity) - (this.estimates.get(b)?.at ?? -Infinity))[0];
    this.probe = { threads: candidate, samples: [], counters: false };
    return candidate;
  }

  /** A step evaluated `tokens` tokens in `ms` with `threads`. Steps of other sizes are not compared: use one tuner per kind of step. */
  observe(threads: number, tokens: number, ms: number): void {
    if (tokens <= 0 || !(ms >= 0)) return;
    const perToken = ms / tokens;
    const at = this.now();
    if (this.probe && threads === this.probe.threads) {
      this.probe.samples.push(perToken);
      // A step over twice the cost of the count in use has lost whatever the next one says: beside
      // a competing job a probe of all threads can cost a second a step, so it ends at one.
      const current = this.estimates.get(this.chosen)?.msPerToken ?? Infinity;
      if (this.probe.samples.length >= this.options.probeSteps || perToken > 2 * current) this.endProbe(at);
      return;
    }
    const recent = [...(this.estimates.get(threads)?.recent ?? []), perToken].slice(-this.options.window);
    const msPerToken = median(recent);
    this.estimates.set(threads, { msPerToken, recent, at });
    if (threads !== this.chosen) return;
    if (this.baseline === Infinity) this.baseline = msPerToken;
    // The count in use slowed down past a neighbour's last measurement: move now, not at the next
    // probe. Unless the counters show no other process on our cores and the slowdown is mild: then
    // it is this process's own work beside the decode (a request arriving, the first tokens at a
    // new place), which ends by itself; moving down would cost every token after it until a probe
    // brings the count back (a replay on a quiet machine stepped down 5 times in one minute).
    const better = this.cheapest();
    const mild = msPerToken < 2 * (this.estimates.get(better)?.msPerToken ?? 0);
    if (better < this.chosen && mild && (this.freeCores() ?? 0) >= this.chosen - slackCores) return;
    if (better !== this.chosen) return this.switchTo(better, at, 'slowed down');
    // Twice as slow or as fast as when last compared: the machine changed, compare again now,
    // whatever the back-off.
    if (msPerToken > 2 * this.baseline || msPerToken < this.baseline / 2) {
      this.baseline = msPerToken;
      this.probeEveryMs = this.options.probeEveryMs;
      this.nextProbeAt = at;
    }
  }

  private endProbe(at: number): void {
    const probe = this.probe!;
    this.probe = undefined;
    const msPerToken = median(probe.samples);
    this.estimates.set(probe.threads, { msPerToken, recent: [msPerToken], at });
    const current = this.estimates.get(this.chosen);
    if (current && msPerToken < current.msPerToken) {
      this.probeEveryMs = this.options.probeEveryMs;
      this.switchTo(probe.threads, at, 'probe won');
    } else {
      if (probe.counters) this.trustCountersFrom = at + this.options.maxProbeEveryMs;
      this.probeEveryMs = Math.min(this.options.maxProbeEveryMs, this.probeEveryMs * 2);
      this.baseline = current?.msPerToken ?? Infinity;
      this.nextProbeAt = at + this.probeEveryMs;
    }
  }

  private cheapest(): number {
    let best = this.chosen;
    for (const [threads, e] of this.estimates) {
      if (e.msPerToken < (this.estimates.get(best)?.msPerToken ?? Infinity)) best = threads;
    }
    return best;
  }

  private switchTo(threads: number, at: number, reason: string): void {
    this.chosen = threads;
    this.baseline = this.estimates.get(threads)?.msPerToken ?? Infinity;
    this.nextProbeAt = at + this.probeEveryMs;
    const costs = [...this.estimates].sort(([a], [b]) => a - b).map(([t, e]) => `${t}: ${e.msPerToken.toFixed(1)} ms/token`);
    this.onChange(threads, `${reason} (${costs.join(', ')})`);
  }
}
