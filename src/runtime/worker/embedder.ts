import { CancelledError } from '../../common/errors';
import type { EmbedResult, EmbeddingCounts } from '../protocol';
import type { NodeLlamaCpp } from './nodeLlamaCpp';
import type { PriorityGate } from './priorityGate';

/**
 * Embeds texts for the codebase index with node-llama-cpp's embedding context. It runs below
 * completion: before each text it waits while a completion holds the gate, and each text is one
 * gate step, so a completion that arrives waits for the text being embedded and no more (a long
 * pass of thousands of chunks never delays a keystroke). node-llama-cpp evaluates one input per
 * call and cannot stop one midway; cancellation is checked between texts.
 */
export class Embedder {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly context: NodeLlamaCpp.LlamaEmbeddingContext,
    private readonly gate: PriorityGate,
    private readonly counts: EmbeddingCounts,
    /** Tokens of one text the context holds (with the BOS/EOS node-llama-cpp adds). */
    private readonly contextSize: number,
  ) {}

  get dimensions(): number {
    return this.context.model.embeddingVectorSize;
  }

  /** One request at a time: the context has one sequence. */
  embed(texts: string[], signal: AbortSignal): Promise<EmbedResult> {
    const run = this.running.then(() => this.run(texts, signal));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async run(texts: string[], signal: AbortSignal): Promise<EmbedResult> {
    const result: EmbedResult = { vectors: [], dimensions: this.dimensions, truncated: 0 };
    const maxTokens = this.contextSize - 2;
    for (const text of texts) {
      await this.yieldToCompletion(signal);
      if (signal.aborted) throw new CancelledError();
      let tokens = this.context.model.tokenize(text, false);
      if (tokens.length > maxTokens) {
        tokens = tokens.slice(0, maxTokens);
        result.truncated++;
      }
      const embedding = tokens.length === 0 ? undefined : await this.gate.step(() => this.context.getEmbeddingFor(tokens));
      result.vectors.push(embedding ? unit(embedding.vector) : []);
      this.counts.texts++;
    }
    return result;
  }

  private yieldToCompletion(signal: AbortSignal): Promise<void> {
    if (!this.gate.held || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done, { once: true });
      void this.gate.waitIfHeld().then(done);
    });
  }
}

/** Scaled to length 1, so the index compares by dot product; all zeros stays zeros. */
export function unit(vector: readonly number[]): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((x) => x / norm) : [...vector];
}
