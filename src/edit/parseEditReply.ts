/**
 * The model's reply to an edit request, turned into the text that replaces the target — or a
 * clear error, never something written into the file. Small local models wrap code in fences,
 * talk before and after it, echo the whole file, or lose the indentation; each is undone here.
 * Pure (no `vscode`): the edit flow and chat's "Apply as diff" both call it.
 */
import { rebaseIndentation } from './indentation';

export interface ReplyTarget {
  /** The text the reply replaces (whole lines, no final line break); empty for "generate here". */
  target: string;
  /** The file's lines above the target and below it: what an over-long reply is cut back to. */
  before?: string;
  after?: string;
  /** Indentation the code must sit at; by default the target's own. */
  indent?: string;
  /** The file is prose (Markdown, plain text): sentences are content, not talk around the code. */
  prose?: boolean;
}

export type ParsedReply = { ok: true; code: string } | { ok: false; error: string; reply: string };

/**
 * `partial`: the reply is still streaming. An unclosed fence is normal then, and a reply that holds
 * no code yet gives empty code rather than an error. `codeBlock`: the text is already the inside
 * of a code block (chat's Apply as diff): no fence or prose to look for.
 */
export function parseEditReply(reply: string, target: ReplyTarget, options: { partial?: boolean; codeBlock?: boolean } = {}): ParsedReply {
  const text = options.codeBlock ? reply.replace(/\r\n?/g, '\n') : stripThinking(reply.replace(/\r\n?/g, '\n'));
  if (!text.trim()) return options.partial ? { ok: true, code: '' } : { ok: false, error: 'The model returned an empty reply.', reply };
  const fenced = options.codeBlock ? undefined : fencedCode(text);
  let lines = fenced ?? (options.codeBlock || target.prose ? text.split('\n') : stripProse(text.split('\n'), target.target));
  lines = trimBlankEdges(lines);
  if (!lines.length) {
    if (options.partial) return { ok: true, code: '' };
    return { ok: false, error: 'The model replied with no code.', reply };
  }
  lines = cutToTarget(lines, target);
  if (!lines.length) {
    if (options.partial) return { ok: true, code: '' };
    return { ok: false, error: 'The model only repeated the code around the target.', reply };
  }
  const indent = target.indent ?? leadingIndent(target.target);
  return { ok: true, code: rebaseIndentation(lines, indent, target.target).join('\n') };
}

/** Reasoning models think aloud first; what they think is not the answer. */
function stripThinking(text: string): string {
  const closed = text.replace(/<think>[\s\S]*?<\/think>/g, '');
  const open = closed.indexOf('<think>');
  return open >= 0 ? closed.slice(0, open) : closed;
}

const fenceOpen = /^\s*(`{3,}|~{3,})\s*[\w+#.-]*\s*$/;

/**
 * The code of the reply's fenced blocks: the longest one (a model that explains shows the snippet
 * it changed, then sometimes a usage example), or the open one still streaming.
 */
function fencedCode(text: string): string[] | undefined {
  const lines = text.split('\n');
  const blocks: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = fenceOpen.exec(lines[i]);
    if (!open) continue;
    const marker = open[1];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j].trim();
      if (close.startsWith(marker[0].repeat(marker.length)) && /^(`{3,}|~{3,})$/.test(close)) break;
      body.push(lines[j]);
    }
    blocks.push(body);
    i = j;
  }
  if (!blocks.length) return undefined;
  return blocks.reduce((a, b) => (b.join('\n').trim().length > a.join('\n').trim().length ? b : a));
}

/** Leading and trailing lines that read like sentences, not code, when no fence says where code is. */
function stripProse(lines: string[], target: string): string[] {
  const known = new Set(target.split('\n').map((l) => l.trim()).filter(Boolean));
  const prose = (line: string) => !known.has(line.trim()) && looksLikeProse(line);
  let start = 0;
  let end = lines.length;
  while (start < end && (prose(lines[start]) || !lines[start].trim())) start++;
  while (end > start && (prose(lines[end - 1]) || !lines[end - 1].trim())) end--;
  return lines.slice(start, end);
}

const commentStart = /^\s*(\/\/|#|\/\*|\*|--|;|<!--|%|")/;

/** A sentence: starts with a capital or "Sure"-like word, mostly letters and spaces, no code punctuation. */
export function looksLikeProse(line: string): boolean {
  const t = line.trim();
  if (!t || commentStart.test(t)) return false;
  if (/[;{}=<>\[\]]|=>|\)\s*$|^\w+\(/.test(t)) return false;
  const words = t.split(/\s+/);
  const letters = t.replace(/[^A-Za-z\s'’,.:!?`-]/g, '').length / t.length;
  if (/^(sure|certainly|okay|ok|here|of course)\b/i.test(t)) return true;
  return /^[A-Z]/.test(t) && words.length >= 3 && letters > 0.9 && !/^[A-Z_]{2,}$/.test(words[0]);
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && !lines[start].trim()) start++;
  while (end > start && !lines[end - 1].trim()) end--;
  return lines.slice(start, end);
}

/** A line that says something on its own (not a bracket or a blank): safe to anchor a cut on. */
const significant = (line: string) => /[A-Za-z0-9_]{3}/.test(line);
const norm = (line: string) => line.trim();

/**
 * A reply that repeats code around the target (the whole file, or the enclosing class) is cut back
 * to the target: first by the file's own lines echoed at the reply's start and end, then by the
 * target's first and last lines found inside a longer reply.
 */
function cutToTarget(lines: string[], t: ReplyTarget): string[] {
  const before = (t.before ?? '').split('\n').map(norm).filter(Boolean);
  const after = (t.after ?? '').split('\n').map(norm).filter(Boolean);
  const targetLines = t.target.split('\n').map(norm).filter(Boolean);
  // A run that could be the target's own lines is no echo of the file.
  const inTarget = new Set(targetLines);
  let start = 0;
  let end = lines.length;

  // The file above the target echoed at the start: the longest run of reply lines ending with the
  // line just above the target (blank lines ignored on both sides).
  const replyHead = nonBlankIndexes(lines, 0, end);
  for (let k = Math.min(before.length, replyHead.length); k > 0; k--) {
    const ours = replyHead.slice(0, k).map((i) => norm(lines[i]));
    if (ours.every((l, i) => l === before[before.length - k + i]) && ours.some(significant) && !ours.every((l) => inTarget.has(l))) {
      start = replyHead[k - 1] + 1;
      break;
    }
  }
  const replyTail = nonBlankIndexes(lines, start, end).reverse();
  for (let k = Math.min(after.length, replyTail.length); k > 0; k--) {
    const ours = replyTail.slice(0, k).reverse().map((i) => norm(lines[i]));
    if (ours.every((l, i) => l === after[i]) && ours.some(significant) && !ours.every((l) => inTarget.has(l))) {
      end = replyTail[k - 1];
      break;
    }
  }

  // The target's first and last lines inside a longer reply: what lies outside them is dropped
  // when every line of it is a line of the file around the target.
  if (targetLines.length) {
    const first = targetLines[0];
    const i = indexWhere(lines, start, end, (l) => norm(l) === first);
    if (i > start && significant(first) && lines.slice(start, i).every((l) => !l.trim() || before.includes(norm(l)))) start = i;
    const last = targetLines.at(-1)!;
    const j = lastIndexWhere(lines, start, end, (l) => norm(l) === last);
    if (j >= start && j < end - 1 && significant(last) && lines.slice(j + 1, end).every((l) => !l.trim() || after.includes(norm(l)))) end = j + 1;
  }

  // The enclosing block's opening line echoed before the target, or its closing bracket after it
  // (the line itself still in the file): dropped while the reply opens or closes more than the target.
  const balance = (ls: readonly string[]) => ls.reduce((n, l) => n + (l.match(/[({[]/g)?.length ?? 0) - (l.match(/[)}\]]/g)?.length ?? 0), 0);
  const want = balance(t.target.split('\n'));
  for (;;) {
    const first = indexWhere(lines, start, end, (l) => !!l.trim());
    if (first < 0 || !before.includes(norm(lines[first])) || inTarget.has(norm(lines[first])) || balance(lines.slice(start, end)) <= want) break;
    start = first + 1;
  }
  for (;;) {
    const last = lastIndexWhere(lines, start, end, (l) => !!l.trim());
    if (last < start || !/^[)}\]]+[;,]?$/.test(norm(lines[last])) || !after.includes(norm(lines[last])) || balance(lines.slice(start, end)) >= want) break;
    end = last;
  }
  return trimBlankEdges(lines.slice(start, end));
}

function nonBlankIndexes(lines: readonly string[], start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) if (lines[i].trim()) out.push(i);
  return out;
}

function indexWhere(lines: readonly string[], start: number, end: number, test: (l: string) => boolean): number {
  for (let i = start; i < end; i++) if (test(lines[i])) return i;
  return -1;
}

function lastIndexWhere(lines: readonly string[], start: number, end: number, test: (l: string) => boolean): number {
  for (let i = end - 1; i >= start; i--) if (test(lines[i])) return i;
  return -1;
}

export function leadingIndent(text: string): string {
  const first = text.split('\n').find((l) => l.trim());
  return first ? /^\s*/.exec(first)![0] : '';
}
