/**
 * One embedding pass over the index: chunks without a vector are fetched from the index worker
 * in batches, embedded by the model worker, and their vectors stored back, until none is left.
 * The index keeps what is stored and saves it, so a pass that stops (a cancel, a window closed,
 * a crash) loses at most the batch in flight, and the next pass asks only for what is still
 * missing: resumable without a journal. No `vscode`: the extension and bench:retrieval run it.
 */
import type { IndexCalls } from './indexProtocol';

export interface EmbedChunksOptions {
  /** The index worker (IndexWorkerClient.call). */
  index: <K extends 'unembedded' | 'storeVectors'>(kind: K, params: IndexCalls[K]['params']) => Promise<IndexCalls[K]['result']>;
  /** Unit vectors of `texts`, in order (the runtime's embed; empty for an empty text). */
  embed(texts: string[], signal: AbortSignal): Promise<number[][]>;
  /** Identifies the model file: vectors from another are dropped. */
  model: string;
  /** Texts per embed request: the progress and the most a stop loses. */
  batchSize: number;
  signal: AbortSignal;
  onProgress?(embedded: number, remaining: number): void;
}

export interface EmbedChunksResult {
  embedded: number;
  /** Stopped by the signal before every chunk had its vector. */
  cancelled: boolean;
}

export async function embedChunks(o: EmbedChunksOptions): Promise<EmbedChunksResult> {
  let embedded = 0;
  const done = new Set<string>();
  while (!o.signal.aborted) {
    const { chunks, remaining } = await o.index('unembedded', { model: o.model, limit: o.batchSize });
    o.onProgress?.(embedded, remaining);
    if (chunks.length === 0) return { embedded, cancelled: false };
    // Asked again for a text whose vector was stored: the index refused it; stop rather than loop.
    if (chunks.some((c) => done.has(c.hash))) throw new Error('the index did not keep the vectors it was given (another model answered?)');
    let vectors: number[][];
    try {
      vectors = await o.embed(chunks.map((c) => c.text), o.signal);
    } catch (e) {
      if (o.signal.aborted) break;
      throw e;
    }
    if (vectors.length !== chunks.length) throw new Error(`the embedding model returned ${vectors.length} vectors for ${chunks.length} texts`);
    await o.index('storeVectors', { model: o.model, vectors: chunks.map((c, i) => ({ hash: c.hash, vector: vectors[i] })) });
    embedded += chunks.length;
    for (const c of chunks) done.add(c.hash);
  }
  return { embedded, cancelled: true };
}
