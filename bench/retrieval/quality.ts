/**
 * Retrieval quality on the doc-comment queries: the index's lexical ranking, the same plus the
 * symbols boost, and a plain grep baseline (chunks, then files, ranked by how often the query's
 * words occur in them, as `grep -ciw` per word summed), all over the same chunks. With an
 * embedding function, also `fused`: lexical + symbols fused with the cosine ranking of the
 * chunks' vectors (every chunk and query embedded first, as the extension's passes would).
 */
import { chunkCode } from '../../src/index/chunkCode';
import { CodeIndex, type RankingMode } from '../../src/index/codeIndex';
import type { CorpusFile } from './corpus';
import type { DocQuery } from './docQueries';

export interface MethodScore {
  /** The answer chunk among the first k chunks. */
  recall_at_k: number;
  /** Mean of 1/rank of the answer chunk (0 past rank 100). */
  mrr: number;
  /** The answer's file among the first k distinct files. */
  file_recall_at_k: number;
}

export type Method = 'grep' | 'lexical' | 'lexical_symbols' | 'lexical_symbols_pruned' | 'fused';

/** Unit vectors of texts, in order (the model worker's embed). */
export interface QualityEmbedder {
  /** Names the model in the report. */
  model: string;
  embed(texts: string[]): Promise<number[][]>;
}

export interface QualityRun {
  k: number;
  queries: number;
  files: number;
  chunks: number;
  methods: Partial<Record<Method, MethodScore>>;
  index_ms: number;
  query_ms_mean: Partial<Record<Method, number>>;
  /** The embedding pass behind `fused`: its model, chunks and time. */
  embedding?: { model: string; chunks: number; dimensions: number; embed_s: number };
}

interface Ranked {
  path: string;
  startLine: number;
  endLine: number;
}

const depth = 100;
const words = (text: string) => text.toLowerCase().match(/[a-z0-9_$]+/g) ?? [];

function counts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words(text)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

export async function evaluateQuality(files: readonly CorpusFile[], queries: readonly DocQuery[], k: number, embedder?: QualityEmbedder, log: (s: string) => void = () => undefined): Promise<QualityRun> {
  const t0 = performance.now();
  const index = new CodeIndex({ maxChars: Number.MAX_SAFE_INTEGER });
  for (const f of files) index.setFile(f.path, f.text, '1');
  const indexMs = performance.now() - t0;
  // What a large workspace gets: common query words dropped whatever the index's size.
  const pruned = new CodeIndex({ maxChars: Number.MAX_SAFE_INTEGER, pruneFromChunks: 0 });
  for (const f of files) pruned.setFile(f.path, f.text, '1');

  // grep sees the same chunks the index holds.
  const chunks = files.flatMap((f) => chunkCode(f.text).map((c) => ({ path: f.path, startLine: c.startLine, endLine: c.endLine, words: counts(c.text) })));
  const fileWords = new Map(files.map((f) => [f.path, counts(f.text)]));

  let embedding: QualityRun['embedding'];
  const queryVectors = new Map<string, number[]>();
  if (embedder) {
    const started = performance.now();
    const texts = new Map(files.map((f) => [f.path, f.text.split(/\r?\n/)]));
    const pending = index.unembedded(embedder.model, Number.MAX_SAFE_INTEGER).files.flatMap((f) => f.chunks.map((c) => ({ hash: c.hash, text: texts.get(f.path)!.slice(c.startLine - 1, c.endLine).join('\n') })));
    const batch = 16;
    for (let i = 0; i < pending.length; i += batch) {
      const part = pending.slice(i, i + batch);
      const vectors = await embedder.embed(part.map((p) => p.text));
      index.setVectors(embedder.model, part.map((p, j) => ({ hash: p.hash, vector: vectors[j] })));
      if ((i / batch) % 20 === 0) log(`embedded ${i + part.length} of ${pending.length} chunks`);
    }
    const unique = [...new Set(queries.map((q) => q.query))];
    for (let i = 0; i < unique.length; i += batch) {
      const part = unique.slice(i, i + batch);
      (await embedder.embed(part)).forEach((v, j) => queryVectors.set(part[j], v));
    }
    embedding = { model: embedder.model, chunks: pending.length, dimensions: queryVectors.values().next().value?.length ?? 0, embed_s: Math.round((performance.now() - started) / 100) / 10 };
  }

  const rankers: Partial<Record<Method, (q: string) => Ranked[]>> = {
    grep: (q) => {
      const qw = [...new Set(words(q).filter((w) => w.length >= 3))];
      return chunks
        .map((c) => ({ c, s: qw.reduce((sum, w) => sum + (c.words.get(w) ?? 0), 0) }))
        .filter((x) => x.s > 0)
        .sort((a, b) => b.s - a.s)
        .slice(0, depth)
        .map((x) => x.c);
    },
    lexical: (q) => index.search(q, depth, 'lexical' satisfies RankingMode),
    lexical_symbols: (q) => index.search(q, depth, 'symbols'),
    lexical_symbols_pruned: (q) => pruned.search(q, depth, 'symbols'),
    ...(embedder ? { fused: (q: string) => index.search(q, depth, 'symbols', queryVectors.get(q)) } : {}),
  };
  const grepFiles = (q: string) => {
    const qw = [...new Set(words(q).filter((w) => w.length >= 3))];
    return [...fileWords]
      .map(([path, m]) => ({ path, s: qw.reduce((sum, w) => sum + (m.get(w) ?? 0), 0) }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s)
      .map((x) => x.path);
  };

  const methods = {} as Record<Method, MethodScore>;
  const queryMs = {} as Record<Method, number>;
  for (const [method, ranker] of Object.entries(rankers) as [Method, (q: string) => Ranked[]][]) {
    let hits = 0;
    let rr = 0;
    let fileHits = 0;
    const start = performance.now();
    for (const q of queries) {
      const ranked = ranker(q.query);
      const rank = ranked.findIndex((r) => r.path === q.path && r.startLine <= q.line && q.line <= r.endLine);
      if (rank >= 0 && rank < k) hits++;
      if (rank >= 0) rr += 1 / (rank + 1);
      const fileOrder = method === 'grep' ? grepFiles(q.query) : [...new Set(ranked.map((r) => r.path))];
      if (fileOrder.slice(0, k).includes(q.path)) fileHits++;
    }
    queryMs[method] = (performance.now() - start) / queries.length;
    methods[method] = { recall_at_k: hits / queries.length, mrr: rr / queries.length, file_recall_at_k: fileHits / queries.length };
  }
  return { k, queries: queries.length, files: files.length, chunks: index.stats.chunks, methods, index_ms: Math.round(indexMs), query_ms_mean: queryMs, embedding };
}
