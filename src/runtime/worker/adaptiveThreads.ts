import { OtherLoad } from './otherLoad';
import { ThreadTuner } from './threadTuner';

/**
 * The worker's thread count, adapted per evaluation step (see threadTuner.ts for why). Prompt
 * slices and generated tokens cost differently per token, so each has its own tuner; both set the
 * one process-wide limit (node-llama-cpp's `llama.maxThreads`, read before every batch), which chat
 * inherits: a machine busy for completion is busy for chat too.
 */
export class AdaptiveThreads {
  readonly prompt: ThreadTuner;
  readonly decode: ThreadTuner;
  private applied = 0;

  constructor(
    readonly maxThreads: number,
    /** Sets the thread limit for the next batch. */
    private readonly apply: (threads: number) => void,
    /** Off: every step uses `maxThreads`, as before adaptation existed (the benchmark's baseline). */
    readonly enabled: boolean,
    onChange: (kind: 'prompt' | 'generation', threads: number, why: string) => void = () => undefined,
    now?: () => number,
    /** The CPU counters read at each step (otherLoad.ts); tests pass a scripted one. */
    private readonly load: Pick<OtherLoad, 'sample' | 'freeCores'> | undefined = enabled && maxThreads > 1 ? new OtherLoad() : undefined,
  ) {
    const free = () => this.load?.freeCores();
    const told = (kind: 'prompt' | 'generation') => (t: number, why: string) => {
      const cores = free();
      onChange(kind, t, cores === undefined ? why : `${why}; others left ${cores.toFixed(2)} cores free`);
    };
    this.prompt = new ThreadTuner(maxThreads, now, undefined, told('prompt'), free);
    this.decode = new ThreadTuner(maxThreads, now, undefined, told('generation'), free);
  }

  /** The count generation runs with now (outside probes): what the status bar and the log report. */
  get threads(): number {
    return this.enabled ? this.decode.threads : this.maxThreads;
  }

  /**
   * Runs one step with the count its tuner picks, and tells the tuner what it cost. A step that
   * cannot be compared with the others (`learn` false: a short prompt slice, a token already
   * verified in a batch) runs with the tuner's current count and teaches it nothing.
   */
  async step<T>(tuner: ThreadTuner, tokens: number, work: () => Promise<T>, learn = true): Promise<T> {
    // Every step, learnt from or not: the window fills within the first tokens of a request.
    if (this.enabled) this.load?.sample();
    const threads = !this.enabled ? this.maxThreads : learn ? tuner.next() : tuner.threads;
    if (threads !== this.applied) {
      this.apply(threads);
      this.applied = threads;
    }
    const started = performance.now();
    const result = await work();
    if (this.enabled && learn) tuner.observe(threads, tokens, performance.now() - started);
    return result;
  }

  /** Something else set the limit (a context was created at full count): set it again before the next step. */
  forget(): void {
    this.applied = 0;
  }
}
