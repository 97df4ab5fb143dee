/**
 * The codebase index: chunks of workspace files (chunkCode.ts) in a BM25 index (MiniSearch 7:
 * pure JS, so it runs in a worker thread and ships in the VSIX without a native build, and it
 * serializes to JSON for the workspace storage) with identifier-aware tokens
 * (identifierTokens.ts). Bounded: past `maxChars` of indexed text a file is refused and the
 * index says it is `partial`. It keeps no chunk text (the caller reads the lines it shows, fresh
 * from the document), so its memory is the inverted index and a small table per chunk.
 *
 * With an embedding model, each chunk's vector is kept by the hash of its text (vectorStore.ts);
 * a search given the query's vector ranks the chunks by cosine similarity too, and fuseRankings.ts
 * merges the two lists by rank, so neither score scale has to match the other.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { chunkCode, defaultChunkOptions, type ChunkOptions } from './chunkCode';
import { chunkHash } from './chunkHash';
import { fuseRankings } from './fuseRankings';
import { tokenizeCode } from './identifierTokens';
import { VectorStore, type StoredVectors } from './vectorStore';

export interface IndexedChunk {
  id: number;
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  symbols: string[];
}

export interface SearchHit extends IndexedChunk {
  score: number;
}

/** `lexical`: BM25 over the chunk's text; `symbols`: plus a boost where the chunk declares a query word. */
export type RankingMode = 'lexical' | 'symbols';

/** A file's chunks that have no vector yet (their lines, to read the text again, and its hash to check it). */
export interface UnembeddedFile {
  path: string;
  stamp: string;
  chunks: { startLine: number; endLine: number; hash: string }[];
}

export interface CodeIndexOptions {
  /** Most characters of text indexed in all; a file that would pass it is left out (`partial`). */
  maxChars: number;
  chunking?: ChunkOptions;
  /** Common query words are dropped past this many chunks (default 2,000; see selective()). */
  pruneFromChunks?: number;
}

export interface IndexedFile {
  path: string;
  /** What the caller uses to tell a file changed since it was indexed (mtime and size, a hash). */
  stamp: string;
  chars: number;
  chunks: number;
}

export type SetFileResult = 'indexed' | 'unchanged' | 'overCap';

interface FileEntry {
  stamp: string;
  chars: number;
  ids: number[];
}

interface Document {
  id: number;
  text: string;
  symbols: string;
}

/** A declared name matching a query word counts this many times a text match. */
const symbolBoost = 4;
/** 2: chunk text hashes and embedding vectors. */
const formatVersion = 2;
/** Each ranking contributes this many candidates to the fusion (RRF needs more than the few asked for). */
const fusionDepth = 50;
/** A query word in more chunks than this share is dropped (see selective()). */
const commonShare = 0.15;
/** Small indexes are fast whatever the words: pruning starts past this many chunks. */
const minChunksToPrune = 2000;

const miniSearchOptions = {
  fields: ['text', 'symbols'],
  storeFields: [],
  tokenize: tokenizeCode,
  // tokenizeCode lower-cases already.
  processTerm: (term: string) => term,
  searchOptions: { tokenize: tokenizeCode, processTerm: (term: string) => term },
};

export class CodeIndex {
  private lexical = new MiniSearch<Document>(miniSearchOptions);
  private readonly files = new Map<string, FileEntry>();
  private readonly chunks = new Map<number, IndexedChunk>();
  /** Chunk id → hash of its text: the key of its vector. */
  private readonly hashes = new Map<number, string>();
  private vectors = new VectorStore();
  private readonly refused = new Set<string>();
  private totalChars = 0;
  private nextId = 1;
  private readonly chunking: ChunkOptions;

  private maxChars: number;

  constructor(private readonly options: CodeIndexOptions) {
    this.chunking = options.chunking ?? defaultChunkOptions;
    this.maxChars = options.maxChars;
  }

  /** A new memory cap for the files indexed from now on (a lower one frees nothing until a rebuild). */
  setMaxChars(maxChars: number): void {
    this.maxChars = maxChars;
  }

  /** Indexes `text` as the content of `path`, replacing what was there. */
  setFile(path: string, text: string, stamp: string): SetFileResult {
    const old = this.files.get(path);
    if (old && old.stamp === stamp) return 'unchanged';
    this.removeFile(path);
    if (this.totalChars + text.length > this.maxChars) {
      this.refused.add(path);
      return 'overCap';
    }
    const ids: number[] = [];
    for (const c of chunkCode(text, this.chunking)) {
      const id = this.nextId++;
      ids.push(id);
      this.chunks.set(id, { id, path, startLine: c.startLine, endLine: c.endLine, symbols: c.symbols });
      this.hashes.set(id, chunkHash(c.text));
      this.lexical.add({ id, text: c.text, symbols: c.symbols.join(' ') });
    }
    this.files.set(path, { stamp, chars: text.length, ids });
    this.totalChars += text.length;
    return 'indexed';
  }

  removeFile(path: string): void {
    this.refused.delete(path);
    const entry = this.files.get(path);
    if (!entry) return;
    // discard: no need for the removed text; MiniSearch vacuums the dead entries in batches.
    for (const id of entry.ids) {
      this.lexical.discard(id);
      this.chunks.delete(id);
      this.hashes.delete(id);
    }
    this.files.delete(path);
    this.totalChars -= entry.chars;
  }

  /** Drops every file that `keep` refuses (a folder left the scope, a setting changed). */
  retain(keep: (path: string) => boolean): void {
    for (const path of [...this.files.keys()]) if (!keep(path)) this.removeFile(path);
    for (const path of [...this.refused]) if (!keep(path)) this.refused.delete(path);
  }

  stampOf(path: string): string | undefined {
    return this.files.get(path)?.stamp;
  }

  /** Some files were left out for the memory cap. */
  get partial(): boolean {
    return this.refused.size > 0;
  }

  /** `vectors`: chunks with an embedding (from `embeddingModel`). */
  get stats(): { files: number; chunks: number; chars: number; refused: number; vectors: number } {
    let vectors = 0;
    if (this.vectors.size > 0) for (const hash of this.hashes.values()) if (this.vectors.has(hash)) vectors++;
    return { files: this.files.size, chunks: this.chunks.size, chars: this.totalChars, refused: this.refused.size, vectors };
  }

  get embeddingModel(): string | undefined {
    return this.vectors.model;
  }

  /**
   * Up to `limit` chunks without a vector from `model`, grouped by file, in index order (a pass
   * that stopped goes on where it was). A new model drops the old one's vectors first. `skip`:
   * files whose text cannot be had now (changed on disk since indexed: the watcher re-reads them).
   */
  unembedded(model: string, limit: number, skip: (path: string, stamp: string) => boolean = () => false): { files: UnembeddedFile[]; remaining: number } {
    this.vectors.useModel(model);
    const files: UnembeddedFile[] = [];
    let taken = 0;
    let remaining = 0;
    const asked = new Set<string>();
    for (const [path, entry] of this.files) {
      if (skip(path, entry.stamp)) continue;
      let file: UnembeddedFile | undefined;
      for (const id of entry.ids) {
        const hash = this.hashes.get(id)!;
        if (this.vectors.has(hash) || asked.has(hash)) continue;
        asked.add(hash);
        remaining++;
        if (taken >= limit) continue;
        const chunk = this.chunks.get(id)!;
        if (!file) files.push((file = { path, stamp: entry.stamp, chunks: [] }));
        file.chunks.push({ startLine: chunk.startLine, endLine: chunk.endLine, hash });
        taken++;
      }
    }
    return { files, remaining };
  }

  /** Stores vectors from `model` (unit length; see VectorStore.set). Returns how many were kept. */
  setVectors(model: string, vectors: readonly { hash: string; vector: readonly number[] }[]): number {
    this.vectors.useModel(model);
    let kept = 0;
    for (const v of vectors) if (this.vectors.set(v.hash, v.vector)) kept++;
    return kept;
  }

  listFiles(): IndexedFile[] {
    return [...this.files].map(([path, f]) => ({ path, stamp: f.stamp, chars: f.chars, chunks: f.ids.length }));
  }

  refusedFiles(): string[] {
    return [...this.refused];
  }

  /**
   * The best chunks for `query`, best first. With `queryVector` (the query embedded by the model
   * the vectors came from, unit length) the lexical and the cosine rankings are fused by rank;
   * `score` is then the fused one.
   */
  search(query: string, limit: number, mode: RankingMode = 'symbols', queryVector?: readonly number[]): SearchHit[] {
    const vectorRanking = queryVector && queryVector.length > 0 && queryVector.length === this.vectors.dimensions ? this.nearest(queryVector, fusionDepth) : [];
    const lexicalLimit = vectorRanking.length > 0 ? Math.max(limit, fusionDepth) : limit;
    const results: SearchResult[] = this.lexical.search(this.selective(query), {
      fields: mode === 'symbols' ? ['text', 'symbols'] : ['text'],
      boost: { symbols: symbolBoost },
      combineWith: 'OR',
    });
    const lexical: SearchHit[] = [];
    for (const r of results) {
      const chunk = this.chunks.get(r.id as number);
      if (chunk) lexical.push({ ...chunk, score: r.score });
      if (lexical.length >= lexicalLimit) break;
    }
    if (vectorRanking.length === 0) return lexical;
    const scores = new Map<number, number>();
    const fused = fuseRankings([lexical.map((h) => h.id), vectorRanking], undefined, scores);
    return fused.slice(0, limit).map((id) => ({ ...this.chunks.get(id)!, score: scores.get(id)! }));
  }

  /** Chunk ids by cosine similarity to `query`, most similar first (a scan: every vector once). */
  private nearest(query: readonly number[], limit: number): number[] {
    const best: { id: number; sim: number }[] = [];
    for (const [id, hash] of this.hashes) {
      const sim = this.vectors.similarity(hash, query);
      if (sim === undefined || (best.length >= limit && sim <= best[best.length - 1].sim)) continue;
      // Kept sorted: insertion into a list of `limit` (50) is cheaper than sorting every chunk.
      let at = best.length;
      while (at > 0 && best[at - 1].sim < sim) at--;
      best.splice(at, 0, { id, sim });
      if (best.length > limit) best.pop();
    }
    return best.map((b) => b.id);
  }

  /**
   * The query's words without those in more than `commonShare` of the chunks (`get`, `value`,
   * `user` in a codebase about users): their BM25 weight is near zero, yet scoring them visits
   * most of the index (a search over 50,000 chunks took seconds; bench:retrieval measures what dropping costs). The rarest word always stays.
   * How many chunks hold a word is read from MiniSearch's own term table (pinned 7.2.0; without
   * it, nothing is dropped).
   */
  private selective(query: string): string {
    const terms = [...new Set(tokenizeCode(query))];
    const table = (this.lexical as unknown as { _index?: { get(term: string): Map<number, Map<number, number>> | undefined } })._index;
    const total = this.lexical.documentCount;
    if (!table || total < (this.options.pruneFromChunks ?? minChunksToPrune) || terms.length < 2) return query;
    const textField = 0;
    const share = new Map(terms.map((t) => [t, (table.get(t)?.get(textField)?.size ?? 0) / total]));
    const kept = terms.filter((t) => share.get(t)! <= commonShare);
    return (kept.length > 0 ? kept : [terms.reduce((a, b) => (share.get(a)! <= share.get(b)! ? a : b))]).join(' ');
  }

  /** The whole index as one JSON string (for the workspace storage). */
  serialize(): string {
    const inUse = new Set(this.hashes.values());
    // Vectors of text no chunk has any more (edited away) are dropped here, once per save.
    this.vectors.retain(inUse);
    return JSON.stringify({
      version: formatVersion,
      chunking: this.chunking,
      nextId: this.nextId,
      files: [...this.files],
      chunks: [...this.chunks.values()].map((c) => [c.id, c.path, c.startLine, c.endLine, c.symbols, this.hashes.get(c.id)]),
      refused: [...this.refused],
      lexical: this.lexical,
      vectors: this.vectors.toJSON(inUse),
    });
  }

  /**
   * An index from `serialize()`'s output, or undefined when it was written by another format or
   * chunking (then the caller indexes again from scratch).
   */
  static deserialize(json: string, options: CodeIndexOptions): CodeIndex | undefined {
    const data = JSON.parse(json) as SerializedIndex;
    const index = new CodeIndex(options);
    if (data.version !== formatVersion || JSON.stringify(data.chunking) !== JSON.stringify(index.chunking)) return undefined;
    index.lexical = MiniSearch.loadJS<Document>(data.lexical, miniSearchOptions);
    index.nextId = data.nextId;
    for (const [path, entry] of data.files) {
      index.files.set(path, entry);
      index.totalChars += entry.chars;
    }
    for (const [id, path, startLine, endLine, symbols, hash] of data.chunks) {
      index.chunks.set(id, { id, path, startLine, endLine, symbols });
      index.hashes.set(id, hash);
    }
    for (const path of data.refused) index.refused.add(path);
    index.vectors = VectorStore.fromJSON(data.vectors);
    return index;
  }
}

interface SerializedIndex {
  version: number;
  chunking: ChunkOptions;
  nextId: number;
  files: [string, FileEntry][];
  chunks: [number, string, number, number, string[], string][];
  refused: string[];
  lexical: Parameters<typeof MiniSearch.loadJS>[0];
  vectors?: StoredVectors;
}
