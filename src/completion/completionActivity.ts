import type { CompletionModel } from './completionPipeline';

/**
 * When inline completion last used the model, free of `vscode` so the extension and the benchmark
 * keep the same time. Background work (the context feeder) waits for quiet after a completion
 * ENDS: one still running is not quiet, however long ago it started.
 */
export class CompletionActivity {
  private running = 0;
  private lastEndedAt = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * `runtime`, with each generating request tracked. A warm-up (maxTokens 0) is itself background
   * work and does not count: it would otherwise hold back the context it evaluates.
   */
  track(runtime: CompletionModel): CompletionModel {
    return {
      complete: (params, signal) => {
        if (params.maxTokens <= 0) return runtime.complete(params, signal);
        this.running++;
        return runtime.complete(params, signal).finally(() => {
          this.running--;
          this.lastEndedAt = this.now();
        });
      },
    };
  }

  /** Now while a completion runs, else when the last one ended (-Infinity before the first). */
  lastActiveAt(): number {
    return this.running > 0 ? this.now() : this.lastEndedAt;
  }
}
