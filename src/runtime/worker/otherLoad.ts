import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** What the machine's CPUs and this process had spent at one moment. */
export interface CpuCounters {
  /** performance.now() when read. */
  at: number;
  /** Cores the counters cover. */
  cores: number;
  /** Time all those cores spent running anything (niced processes included: they stall a spinning thread team too), in ms. */
  busyMs: number;
  /** Time this process spent on a CPU, all its threads, in ms. */
  ownMs: number;
}

/**
 * Reads the counters: Linux's /proc/stat (its first line, the sum over all cores, in USER_HZ = 100
 * ticks per second), elsewhere os.cpus(). Undefined where they would not describe the cores this
 * process may use: a CPU set smaller than the machine (a container's cpuset, an affinity mask),
 * whose other cores' work is not our competition. The tuner then goes by its timings alone.
 */
export function cpuCounterReader(): () => CpuCounters | undefined {
  const usable = availableParallelism();
  const own = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  if (process.platform === 'linux') {
    let fd: number | undefined;
    const buffer = Buffer.alloc(8192);
    let cores: number | undefined;
    return () => {
      // Known not to match the usable cores: nothing to read, now or later.
      if (cores !== undefined && cores !== usable) return undefined;
      try {
        fd ??= openSync('/proc/stat', 'r');
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        const text = buffer.toString('latin1', 0, n);
        // The per-core lines follow the sum, counted once. 8 KB holds those of about 100 cores;
        // beyond that the count falls short of `usable` and the counters are not used.
        cores ??= text.match(/^cpu\d+ /gm)?.length ?? 0;
        if (cores !== usable) return undefined;
        // cpu  user nice system idle iowait irq softirq steal …
        const f = text.slice(0, text.indexOf('\n')).split(/\s+/).slice(1, 9).map(Number);
        const busyTicks = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
        return { at: performance.now(), cores, busyMs: busyTicks * 10, ownMs: own() };
      } catch {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        return undefined;
      }
    };
  }
  return () => {
    const all = cpus();
    if (all.length !== usable) return undefined;
    let busyMs = 0;
    for (const { times } of all) busyMs += times.user + times.nice + times.sys + times.irq;
    return { at: performance.now(), cores: all.length, busyMs, ownMs: own() };
  };
}

/**
 * The cores other processes left free over the last moments, from the CPU counters: what a thread
 * tuner on fewer threads than it may use needs to know to try one more. Its timings cannot say it:
 * they time only the count in use. While the user types, all threads look no faster than one for
 * a few steps now and then (2 threads 44-65 ms a token, 1 thread 40-53, in the completion replay's
 * worker log), and the count they step down to stays until the next probe, up to 32 s later: on a
 * quiet machine 18 of 78 suggestions of the replay were generated on 1 thread.
 *
 * The figure covers the last `windowMs` or a little more, read at the tuner's steps: long enough for
 * the counters' 10 ms ticks to average out, short enough that the moment the user stops typing
 * shows within a few tokens. A gap between steps (the worker idle between requests) starts a new
 * window: a long idle spell would otherwise water down what runs now.
 */
export class OtherLoad {
  private readonly samples: CpuCounters[] = [];

  constructor(
    private readonly read: () => CpuCounters | undefined = cpuCounterReader(),
    private readonly windowMs = 150,
    /** A gap between two samples longer than this starts a new window. */
    private readonly maxGapMs = 250,
  ) {}

  /** Reads the counters now (the tuner calls this at each step). */
  sample(): void {
    const s = this.read();
    if (!s) return;
    const last = this.samples.at(-1);
    if (last && s.at - last.at > this.maxGapMs) this.samples.length = 0;
    this.samples.push(s);
    // Keep the newest sample at least `windowMs` old, and the ones after it.
    while (this.samples.length > 2 && s.at - this.samples[1].at >= this.windowMs) this.samples.shift();
  }

  /** Cores other processes left free over the window (this process's use counts as free); undefined until a window is covered. */
  freeCores(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < this.windowMs) return undefined;
    const ms = last.at - first.at;
    const others = Math.max(0, last.busyMs - first.busyMs - (last.ownMs - first.ownMs)) / ms;
    return last.cores - others;
  }
}
