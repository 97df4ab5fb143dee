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
 *
 * Requests take turns text by text, in arrival order: a search's one-text query that comes during
 * a pass's batch waits for the text being embedded, not for the rest of the batch.
 */
export class Embedder {
  /** Settles when the last text that asked for a turn has had it. */
  private tail: Promise<void> = Promise.resolve();

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

  async embed(texts: string[], signal: AbortSignal): Promise<EmbedResult> {
    const result: EmbedResult = { vectors: [], dimensions: this.dimensions, truncated: 0 };
    for (const text of texts) {
      const { vector, truncated } = await this.turn(() => this.embedOne(text, signal));
      result.vectors.push(vector);
      if (truncated) result.truncated++;
    }
    return result;
  }

  private async embedOne(text: string, signal: AbortSignal): Promise<{ vector: number[]; truncated: boolean }> {
    await this.gate.waitIfHeld(signal);
    if (signal.aborted) throw new CancelledError();
    let tokens = this.context.model.tokenize(text, false);
    const maxTokens = this.contextSize - 2;
    const truncated = tokens.length > maxTokens;
    if (truncated) tokens = tokens.slice(0, maxTokens);
    const embedding = tokens.length === 0 ? undefined : await this.gate.step(() => this.context.getEmbeddingFor(tokens));
    this.counts.texts++;
    return { vector: embedding ? unit(embedding.vector) : [], truncated };
  }

  /** Runs `work` after every text that asked before it (one text at a time: the context has one sequence). */
  private async turn<T>(work: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let done!: () => void;
    this.tail = new Promise((resolve) => (done = resolve));
    await before;
    try {
      return await work();
    } finally {
      done();
    }
  }
}

/** Scaled to length 1, so the index compares by dot product; all zeros stays zeros. */
export function unit(vector: readonly number[]): number[] {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? vector.map((x) => x / norm) : [...vector];
}
