/**
 * Messages between the extension host and the index worker thread (index/worker/indexWorker.ts),
 * declared once for both sides. Paths are file-system paths; the host decides which files may be
 * indexed (content policy, scopes), the worker reads, chunks, ranks and persists them.
 */
import type { IndexedFile, RankingMode, SearchHit } from './codeIndex';

export interface IndexLimits {
  /** Most characters of text indexed in all (the memory cap); past it the index is partial. */
  maxChars: number;
  /** A file larger than this is not read at all. */
  maxFileBytes: number;
}

export interface IndexSummary {
  files: number;
  chunks: number;
  chars: number;
  /** Files left out for the memory cap: the index is partial. */
  refused: number;
  partial: boolean;
  /** Chunks with an embedding vector (0 without an embedding model). */
  vectors: number;
}

/** Chunk texts to embed, and how many chunks still lack a vector (these included). */
export interface UnembeddedChunks {
  chunks: { hash: string; text: string }[];
  remaining: number;
}

/** Why a file the host offered is not in the index. */
export type SkipReason = 'huge' | 'binary' | 'minified' | 'unreadable' | 'overCap';

export interface UpdateResult extends IndexSummary {
  indexed: number;
  unchanged: number;
  removed: number;
  skipped: Partial<Record<SkipReason, number>>;
  cancelled: boolean;
}

/** Each request's parameters and result. */
export interface IndexCalls {
  /** Loads the persisted index at `storageFile` when there is a usable one. */
  open: { params: { storageFile?: string; limits: IndexLimits }; result: IndexSummary & { loaded: boolean } };
  /** Reads and indexes these files where they changed; `complete`: they are the whole scope, drop the rest. */
  update: { params: { paths: string[]; complete: boolean; limits?: IndexLimits }; result: UpdateResult };
  /** An open document's unsaved text. */
  setText: { params: { path: string; text: string; version: number }; result: IndexSummary };
  /** Files, and folders with every file below them. */
  remove: { params: { paths: string[] }; result: IndexSummary };
  clear: { params: Record<string, never>; result: IndexSummary };
  /** `embedded`: the query's vector; when `model` made the stored vectors, the two rankings are fused. */
  search: { params: { query: string; limit: number; mode?: RankingMode; embedded?: { model: string; vector: number[] } }; result: SearchHit[] };
  /** Up to `limit` chunk texts without a vector from `model` (another model's vectors are dropped first). */
  unembedded: { params: { model: string; limit: number }; result: UnembeddedChunks };
  /** Vectors from `model` for chunk texts by hash (as `unembedded` gave them); saved with the index. */
  storeVectors: { params: { model: string; vectors: { hash: string; vector: number[] }[] }; result: IndexSummary };
  list: { params: Record<string, never>; result: { files: IndexedFile[]; refused: string[] } };
  /** Writes the index to its storage file now (it is also written a few seconds after changes). */
  save: { params: Record<string, never>; result: { bytes: number } };
}

export type IndexCallKind = keyof IndexCalls;

export type IndexRequest = { [K in IndexCallKind]: { id: number; kind: K; params: IndexCalls[K]['params'] } }[IndexCallKind];

export type IndexHostMessage = IndexRequest | { kind: 'cancel'; id: number };

export type IndexWorkerMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string }
  /** Progress of the update with this id. */
  | { kind: 'progress'; id: number; done: number; total: number };
