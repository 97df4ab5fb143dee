/**
 * Extra context for completion: chunks of recently opened, edited, saved and copied code, kept
 * in a bounded ring. A new chunk evicts those that mostly repeat it; the oldest go first when the
 * ring is full. Order is stable (oldest first) so the prompt's start, and its KV state, survive.
 */
import { estimateTokens } from '../common/charsPerToken';
import { looksBinary } from '../common/contentPolicy';
import { extraContextTokens } from '../config/completionSettings';

export interface RingChunk {
  path: string;
  text: string;
}

export interface RingLimits {
  maxChunks: number;
  /** Rough bound on the ring's size in tokens (estimated, see estimateTokens). */
  maxTokens: number;
  /** Jaccard similarity of line sets above which an older chunk is evicted. */
  similarity: number;
}

/** The ring keeps about what one prompt's extra context takes: more would never be sent. */
export const defaultRingLimits: RingLimits = { maxChunks: 16, maxTokens: extraContextTokens, similarity: 0.9 };

/** Longest chunk kept (64 lines of ordinary code fit): a minified line or a huge copy is cut. */
export const maxChunkChars = 4096;

export class ContextRing {
  private chunks: RingChunk[] = [];

  constructor(private readonly limits: RingLimits = defaultRingLimits) {}

  list(): readonly RingChunk[] {
    return this.chunks;
  }

  /** Adds a chunk; returns false (no change) when it was empty, binary or already present. */
  add(chunk: RingChunk): boolean {
    if (chunk.text.length > maxChunkChars) chunk = { path: chunk.path, text: chunk.text.slice(0, maxChunkChars) };
    if (!chunk.text.trim() || looksBinary(chunk.text)) return false;
    const lines = lineSet(chunk.text);
    if (this.chunks.some((c) => c.path === chunk.path && c.text === chunk.text)) return false;
    this.chunks = this.chunks.filter((c) => jaccard(lineSet(c.text), lines) <= this.limits.similarity);
    this.chunks.push(chunk);
    while (this.chunks.length > this.limits.maxChunks || (this.chunks.length > 1 && this.tokens() > this.limits.maxTokens)) {
      this.chunks.shift();
    }
    return true;
  }

  private tokens(): number {
    return this.chunks.reduce((n, c) => n + estimateTokens(c.text), 0);
  }
}

/**
 * The `size` lines around `line`, the way a chunk is cut from a file; reads only those lines and
 * keeps at most `maxChars` of them (slices, so a 5 MB line is never copied whole).
 */
export function chunkAround(doc: { lineCount: number; lineAt(line: number): string }, line: number, size = 64, maxChars = maxChunkChars): string {
  const start = Math.max(0, Math.min(line - Math.floor(size / 2), doc.lineCount - size));
  const lines: string[] = [];
  let budget = maxChars;
  for (let i = start; i < Math.min(doc.lineCount, start + size) && budget > 0; i++) {
    const text = doc.lineAt(i).slice(0, budget);
    lines.push(text);
    budget -= text.length + 1;
  }
  return lines.join('\n');
}

function lineSet(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0));
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}
