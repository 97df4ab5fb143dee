import { cpus } from 'node:os';

/** What the CPUs and this process had spent at one moment, in milliseconds. */
export interface CpuSnapshot {
  at: number;
  /** Cores on the machine. */
  cores: number;
  /** Time all cores spent not idle (any process, niced ones included: they stall a spinning thread team too). */
  busyMs: number;
  /** Time this process spent on a CPU, all its threads. */
  ownMs: number;
}

export function readCpuSnapshot(): CpuSnapshot {
  const all = cpus();
  let busyMs = 0;
  for (const { times } of all) busyMs += times.user + times.nice + times.sys + times.irq;
  const own = process.cpuUsage();
  return { at: performance.now(), cores: all.length, busyMs, ownMs: (own.user + own.system) / 1000 };
}

/**
 * Cores that other processes left unused, measured from the CPU counters (os.cpus, the process's
 * own rusage): what a thread tuner on a lower count needs to know before it tries one more thread.
 * Its timings alone cannot say it: they only say what the count in use costs, and trying the next
 * one beside a competitor costs a step of up to a second (issue 12). The counters are read at most
 * every `minWindowMs`, and a figure covers at least that long, so one keystroke's burst in the
 * editor does not make a busy machine look quiet, nor the reverse.
 *
 * `cores − others' use` is a figure for the whole machine. In a container with a CPU quota the
 * counters are the host's, so it can promise room that is not ours: the tuner stops trusting it for a
 * while after a try it promised lost (threadTuner.ts).
 */
export class FreeCores {
  private older: CpuSnapshot | undefined;
  private newer: CpuSnapshot | undefined;

  constructor(
    private readonly read: () => CpuSnapshot = readCpuSnapshot,
    private readonly minWindowMs = 500,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Cores that neither other processes nor `ownThreads` threads of ours would use, over the last
   * window; undefined until one window has been seen. Others' use is all cores' busy time less
   * ours. Cheap when called every step: the counters are read only once a window has passed.
   */
  beyond(ownThreads: number): number | undefined {
    const last = this.newer ?? this.older;
    if (!last || this.now() - last.at >= this.minWindowMs) {
      const snapshot = this.read();
      if (!this.older) this.older = snapshot;
      else {
        if (this.newer) this.older = this.newer;
        this.newer = snapshot;
      }
    }
    if (!this.older || !this.newer) return undefined;
    const ms = this.newer.at - this.older.at;
    if (!(ms > 0)) return undefined;
    const others = Math.max(0, this.newer.busyMs - this.older.busyMs - (this.newer.ownMs - this.older.ownMs)) / ms;
    return this.newer.cores - others - ownThreads;
  }
}
