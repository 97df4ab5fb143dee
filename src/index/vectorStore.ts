/**
 * The index's embedding vectors, keyed by a hash of the chunk's text (chunkHash.ts), not by chunk
 * id: an edited file gets new chunk ids, but its unchanged chunks keep their vectors, so only
 * new or changed text is embedded again. Vectors from one model only: another model's are
 * meaningless next to them, so a new model starts the store empty.
 *
 * Each vector is stored as int8 (unit vectors scaled by 127): a quarter of float32's memory and
 * disk, and the ranking by dot product keeps its order to within the rounding (the unit test
 * checks the neighbours stay the same). Pure, no I/O.
 */

export interface StoredVectors {
  model: string;
  dimensions: number;
  /** [hash, base64 of the int8 bytes]. */
  entries: [string, string][];
}

const scale = 127;

export class VectorStore {
  private readonly vectors = new Map<string, Int8Array>();
  private currentModel: string | undefined;
  private dims = 0;

  /** The model the vectors came from (undefined: none yet). */
  get model(): string | undefined {
    return this.currentModel;
  }

  get dimensions(): number {
    return this.dims;
  }

  get size(): number {
    return this.vectors.size;
  }

  /** Vectors from `model` from now on; another model's are dropped. */
  useModel(model: string): void {
    if (model === this.currentModel) return;
    this.vectors.clear();
    this.currentModel = model;
    this.dims = 0;
  }

  has(hash: string): boolean {
    return this.vectors.has(hash);
  }

  /**
   * `unit`: length 1 (the worker normalizes); empty for a text with nothing to embed, kept so it
   * is not asked for again. A vector of another length than the others means another model:
   * refused.
   */
  set(hash: string, unit: readonly number[]): boolean {
    if (unit.length > 0) {
      if (this.dims === 0) this.dims = unit.length;
      else if (unit.length !== this.dims) return false;
    }
    const q = new Int8Array(unit.length);
    for (let i = 0; i < unit.length; i++) q[i] = Math.max(-scale, Math.min(scale, Math.round(unit[i] * scale)));
    this.vectors.set(hash, q);
    return true;
  }

  /** Cosine similarity of the stored vector with a unit `query` (undefined: none, or empty). */
  similarity(hash: string, query: readonly number[]): number | undefined {
    const v = this.vectors.get(hash);
    if (!v || v.length === 0 || v.length !== query.length) return undefined;
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i] * query[i];
    return dot / scale;
  }

  /** Drops the vectors no chunk uses any more. */
  retain(hashes: ReadonlySet<string>): void {
    for (const hash of [...this.vectors.keys()]) if (!hashes.has(hash)) this.vectors.delete(hash);
  }

  /** The vectors of `hashes` (the ones still in use), for the index's JSON. */
  toJSON(hashes: ReadonlySet<string>): StoredVectors | undefined {
    if (this.currentModel === undefined) return undefined;
    const entries: [string, string][] = [];
    for (const [hash, v] of this.vectors) if (hashes.has(hash)) entries.push([hash, Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')]);
    return { model: this.currentModel, dimensions: this.dims, entries };
  }

  static fromJSON(data: StoredVectors | undefined): VectorStore {
    const store = new VectorStore();
    if (!data) return store;
    store.currentModel = data.model;
    store.dims = data.dimensions;
    for (const [hash, b64] of data.entries) {
      const bytes = Buffer.from(b64, 'base64');
      // A copy: a small decoded Buffer is a view into a shared pool.
      store.vectors.set(hash, new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
    return store;
  }
}
