/**
 * Cleans a raw model suggestion before it is shown. Pure: each rule is its own function with its
 * own unit test; `postprocess` applies them in order.
 */
export interface SuggestionContext {
  /** Text of the cursor's line left of the cursor. */
  linePrefix: string;
  /** Text of the cursor's line right of the cursor. */
  lineSuffix: string;
  /** The lines below the cursor's line, nearest first (a bounded window). */
  linesBelow: readonly string[];
  /** Most lines a suggestion may have. */
  maxLines: number;
}

/** The rules `postprocess` applies, by name (bench:quality scores each with and without). */
export type PostprocessRule = 'firstLineOnly' | 'trimTrailingWhitespace' | 'trimSuffixOverlap' | 'balanceClosers' | 'trimOverlapWithLinesBelow' | 'capLines' | 'repeatsNextLine';
export const postprocessRules: readonly PostprocessRule[] = ['firstLineOnly', 'trimTrailingWhitespace', 'trimSuffixOverlap', 'balanceClosers', 'trimOverlapWithLinesBelow', 'capLines', 'repeatsNextLine'];

const noneOff: ReadonlySet<PostprocessRule> = new Set();

/** `off`: rules to skip (only the quality bench measures a rule's worth this way; the extension skips none). */
export function postprocess(raw: string, ctx: SuggestionContext, off: ReadonlySet<PostprocessRule> = noneOff): string | undefined {
  const on = (rule: PostprocessRule) => !off.has(rule);
  let text: string | undefined = normalizeLineEndings(raw);
  if (on('firstLineOnly') && ctx.lineSuffix.trim()) text = firstLineOnly(text);
  if (on('trimTrailingWhitespace')) text = trimTrailingWhitespace(text);
  if (on('trimSuffixOverlap')) text = trimSuffixOverlap(text, ctx.lineSuffix);
  if (on('balanceClosers')) text = balanceClosers(text, ctx.lineSuffix);
  if (on('trimOverlapWithLinesBelow')) text = trimOverlapWithLinesBelow(text, ctx.linesBelow);
  if (on('capLines')) text = capLines(text, ctx.maxLines);
  if (on('repeatsNextLine') && repeatsNextLine(text, ctx.linePrefix, ctx.linesBelow)) return undefined;
  return dropEmpty(text);
}

export function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function dropEmpty(text: string): string | undefined {
  return text.trim() ? text : undefined;
}

/** With text right of the cursor, only the rest of the line fits. */
export function firstLineOnly(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

export function trimTrailingWhitespace(text: string): string {
  return text.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');
}

/** The text already right of the cursor must not be suggested again at the end of the line. */
export function trimSuffixOverlap(text: string, lineSuffix: string): string {
  const rest = lineSuffix.trim();
  if (!rest) return text;
  const firstBreak = text.indexOf('\n');
  const first = firstBreak < 0 ? text : text.slice(0, firstBreak);
  const tail = firstBreak < 0 ? '' : text.slice(firstBreak);
  for (let n = rest.length; n > 0; n--) {
    // The longest piece of the rest of the line that the suggestion ends with; a single word
    // character is too weak a sign (`a + b` before `b * 2`).
    if (n === 1 && /\w/.test(rest[0])) break;
    if (first.trimEnd().endsWith(rest.slice(0, n))) {
      return first.trimEnd().slice(0, first.trimEnd().length - n).trimEnd() + tail;
    }
  }
  return text;
}

const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Closing brackets the suggestion would add although the same closers already follow the cursor
 * (and the suggestion did not open them) are dropped: `foo(|)` + `a, b)` → `a, b`.
 */
export function balanceClosers(text: string, lineSuffix: string): string {
  if (text.includes('\n')) return text;
  const following = lineSuffix.trimStart();
  let result = text.trimEnd();
  let i = 0;
  while (result.length > 0 && i < following.length) {
    const last = result[result.length - 1];
    const open = pairs[last];
    if (!open || following[i] !== last) break;
    if (count(result, open) >= count(result, last)) break; // balanced within the suggestion
    result = result.slice(0, -1).trimEnd();
    i++;
  }
  return result;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/**
 * Trailing suggested lines that equal the lines already below the cursor are dropped. The last of
 * them may be a start of its line below, after at least one whole non-blank line that matched: a
 * model running on into the text after the cursor is cut mid-line by the token limit (measured
 * with an oracle model in bench:quality, issue 13: such half-copied lines were most of the wrong
 * text Sovereign still showed).
 */
export function trimOverlapWithLinesBelow(text: string, linesBelow: readonly string[]): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  const below = linesBelow.map((l) => l.trim());
  for (let keep = 1; keep < lines.length; keep++) {
    const tail = lines.slice(keep).map((l) => l.trim());
    const whole = tail.slice(0, -1);
    const last = tail[tail.length - 1];
    const lastMatches = last === below[tail.length - 1] || (whole.some((l) => l !== '') && last !== '' && (below[tail.length - 1] ?? '').startsWith(last));
    if (whole.every((l, i) => l === below[i]) && lastMatches && tail.some((l) => l !== '')) {
      return lines.slice(0, keep).join('\n');
    }
  }
  return text;
}

export function capLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  return lines.length <= maxLines ? text : lines.slice(0, Math.max(1, maxLines)).join('\n');
}

/** A suggestion that turns the cursor's line into a copy of the next non-empty line adds nothing. */
export function repeatsNextLine(text: string, linePrefix: string, linesBelow: readonly string[]): boolean {
  const next = linesBelow.find((l) => l.trim() !== '')?.trim();
  if (!next) return false;
  return (linePrefix + firstLineOnly(text)).trim() === next;
}

/**
 * On a whitespace-only line the model completes from column 0 (it picks the indentation). The
 * indentation already typed is then removed from the suggestion, or, where the model indents
 * less, the suggestion replaces the line's whitespace.
 */
export function fixIndentation(text: string, typedIndent: string): { text: string; replaceIndent: boolean } {
  if (!typedIndent) return { text, replaceIndent: false };
  if (text.startsWith(typedIndent)) return { text: text.slice(typedIndent.length), replaceIndent: false };
  return { text, replaceIndent: true };
}
