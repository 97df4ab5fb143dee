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
  ) {
    this.prompt = new ThreadTuner(maxThreads, now, undefined, (t, why) => onChange('prompt', t, why));
    this.decode = new ThreadTuner(maxThreads, now, undefined, (t, why) => onChange('generation', t, why));
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
