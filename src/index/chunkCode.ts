/**
 * Cuts a file into the pieces the index ranks and chat cites: top-level declarations (functions,
 * classes, and the comment or decorators right above them) found by a cheap syntactic cut on
 * indentation, a large declaration cut again at its members, what is still too long (or has no
 * declarations at all) cut into line windows that overlap, so a match near a window's edge is
 * whole in its neighbour. Brace and indentation languages alike: the cut looks only at which
 * lines start at the block's own indentation and what they declare (declaredNames.ts).
 */
import { declaredNames } from './declaredNames';

export interface CodeChunk {
  /** 1-based, inclusive: what a citation `file:line` points at. */
  startLine: number;
  endLine: number;
  text: string;
  /** Names the chunk declares (its own declaration, or the one a window of it belongs to). */
  symbols: string[];
}

export interface ChunkOptions {
  /** A declaration longer than this is cut at its members, else into windows. */
  maxLines: number;
  /** Lines of one window, and how many it shares with the next. */
  windowLines: number;
  overlapLines: number;
  /** Neighbouring pieces shorter than this are merged (imports, one-line constants). */
  minLines: number;
}

export const defaultChunkOptions: ChunkOptions = { maxLines: 80, windowLines: 50, overlapLines: 10, minLines: 6 };

interface Piece {
  start: number; // 0-based inclusive
  end: number; // 0-based exclusive
  symbols: string[];
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
const blank = (line: string) => line.trim().length === 0;
/** Comment and decorator lines stay with the declaration below them. */
const leading = (line: string) => /^\s*(?:\/\/|\/\*|\*|#(?!\s*(?:include|define|import|if|endif))|@|\[\w|--)/.test(line);
// The inner lines of a block comment (" * text", the closing star-slash) sit one column in.
const leadingAt = (line: string, base: number) => leading(line) && (indentOf(line) === base || /^\s*\*/.test(line));
/** A line that closes a block at the block's own indentation (`}`, `});`, `end`, `)`). */
const closer = (line: string) => /^\s*(?:[}\])]|end\b)/.test(line);

export function chunkCode(text: string, options: ChunkOptions = defaultChunkOptions): CodeChunk[] {
  const lines = text.split(/\r?\n/);
  const pieces = cut(lines, 0, lines.length, [], options, 0);
  return merge(pieces, options).map((p) => ({ startLine: p.start + 1, endLine: p.end, text: lines.slice(p.start, p.end).join('\n'), symbols: p.symbols }));
}

/** Pieces of lines [start, end), `owner` the names of the declaration they sit in. */
function cut(lines: string[], start: number, end: number, owner: string[], o: ChunkOptions, depth: number): Piece[] {
  while (start < end && blank(lines[start])) start++;
  while (end > start && blank(lines[end - 1])) end--;
  if (start >= end) return [];
  if (end - start <= o.maxLines && depth > 0) return [{ start, end, symbols: owner }];
  let base = Infinity;
  for (let i = start; i < end; i++) if (!blank(lines[i])) base = Math.min(base, indentOf(lines[i]));
  const starts: { line: number; names: string[] }[] = [];
  for (let i = start; i < end; i++) {
    if (blank(lines[i]) || indentOf(lines[i]) !== base) continue;
    const names = declaredNames(lines[i], depth > 0);
    if (names.length === 0) continue;
    let s = i;
    for (;;) {
      let p = s - 1;
      // A blank line between a doc comment and what it documents is common (express does it).
      if (p > start && blank(lines[p]) && /\*\/\s*$/.test(lines[p - 1])) p--;
      if (p >= start && !blank(lines[p]) && leadingAt(lines[p], base)) s = p;
      else break;
    }
    if (starts.length === 0 || s > starts[starts.length - 1].line) starts.push({ line: s, names });
  }
  if (starts.length === 0 || (starts.length === 1 && starts[0].line === start && depth > 0)) return windows(start, end, owner, o);
  const out: Piece[] = [];
  const loose = (from: number, to: number) => out.push(...windows(from, to, owner, o).map((p) => trimmed(lines, p)).filter((p) => p.end > p.start));
  loose(start, starts[0].line);
  starts.forEach((decl, k) => {
    const next = k + 1 < starts.length ? starts[k + 1].line : end;
    // The declaration ends at the first line back at its indentation (its closer, included), or
    // where the next one starts; the lines between are loose top-level code.
    let stop = next;
    const header = firstNonLeading(lines, decl.line, next);
    for (let i = header + 1; i < next; i++) {
      if (blank(lines[i]) || indentOf(lines[i]) !== base) continue;
      stop = closer(lines[i]) ? i + 1 : i;
      break;
    }
    const symbols = [...new Set([...decl.names, ...(depth > 0 ? owner : [])])];
    if (stop - decl.line > o.maxLines) {
      // Cut the body at its members; the header stays with the first one.
      const bodyEnd = stop - 1 > header && closer(lines[stop - 1]) && indentOf(lines[stop - 1]) === base ? stop - 1 : stop;
      const inner = cut(lines, header + 1, bodyEnd, symbols, o, depth + 1);
      if (inner.length > 0) {
        inner[0] = { ...inner[0], start: decl.line };
        inner[inner.length - 1] = { ...inner[inner.length - 1], end: stop };
      }
      out.push(...(inner.length > 0 ? inner : windows(decl.line, stop, symbols, o)));
    } else out.push({ start: decl.line, end: stop, symbols });
    if (stop < next) loose(stop, next);
  });
  return out;
}

function firstNonLeading(lines: string[], from: number, to: number): number {
  let i = from;
  while (i < to - 1 && (leading(lines[i]) || blank(lines[i]))) i++;
  return i;
}

function trimmed(lines: string[], p: Piece): Piece {
  let { start, end } = p;
  while (start < end && blank(lines[start])) start++;
  while (end > start && blank(lines[end - 1])) end--;
  return { ...p, start, end };
}

/** Windows of `windowLines` sharing `overlapLines`; one piece when the range fits in `maxLines`. */
function windows(start: number, end: number, symbols: string[], o: ChunkOptions): Piece[] {
  if (end - start <= o.maxLines) return [{ start, end, symbols }];
  const step = Math.max(1, o.windowLines - o.overlapLines);
  const out: Piece[] = [];
  for (let s = start; ; s += step) {
    const e = Math.min(end, s + o.windowLines);
    out.push({ start: s, end: e, symbols });
    if (e >= end) break;
  }
  return out;
}

/** Runs of short neighbours become one piece, up to `maxLines`, so a file of imports is one chunk, not forty. */
function merge(pieces: Piece[], o: ChunkOptions): Piece[] {
  const out: Piece[] = [];
  const short = (x: Piece) => x.end - x.start < o.minLines;
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.end <= p.start && (short(last) || short(p)) && p.end - last.start <= o.maxLines) {
      out[out.length - 1] = { start: last.start, end: p.end, symbols: [...new Set([...last.symbols, ...p.symbols])] };
    } else out.push(p);
  }
  return out;
}
