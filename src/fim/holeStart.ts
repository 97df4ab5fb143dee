/**
 * Where the hole of a prefix-suffix-middle prompt opens, kept while the user types on.
 *
 * In `P<suf>S<mid>` a keystroke changes the end of P, so the KV cache is reused only up to there
 * and the whole suffix S is evaluated again on every keystroke (a quarter to a half of the
 * evaluated tokens of a typing session, issue 12). Splitting the text before the cursor into
 * P (before the hole) and T (typed since the hole opened) and writing `P<suf>S<mid>T`
 * (fimLayout.ts) leaves P and S alone while the user types: a keystroke appends to T, and only
 * what was typed is evaluated.
 *
 * The hole opens at the start of the cursor's line (llama.cpp's /infill split: `input_prefix`
 * before the line, `prompt` after the middle token) and stays there while the new text before
 * the cursor is the old P followed by anything, also across new lines: typing, deleting within
 * T, accepting a suggestion. It moves to the cursor's line when the user edits P or jumps, and when
 * T outgrows `maxMiddleChars` (the prefix budget pays for T; see fimFormat.ts).
 *
 * The editor's window (completionWindow.ts) drops lines from its top in steps while the user
 * moves down: P then lost its first lines and is found again by where the new text starts in it.
 */

/** Characters of the new prefix's start looked up in the old P, after the window's top moved. */
const PROBE_CHARS = 256;

export interface HoleSplit {
  /** Text before the hole. */
  prefix: string;
  /** Text typed since the hole opened, up to the cursor. */
  middle: string;
}

export class HoleStart {
  /** P of the last split. */
  private before: string | undefined;

  /** `text` (everything before the cursor) split at the hole. */
  split(text: string, maxMiddleChars: number): HoleSplit {
    const kept = this.before === undefined ? undefined : keptHole(this.before, text);
    const at = kept !== undefined && text.length - kept <= maxMiddleChars ? kept : newHole(text, maxMiddleChars);
    this.before = text.slice(0, at);
    return { prefix: this.before, middle: text.slice(at) };
  }
}

/** Where the old P ends in `text`, if `text` is P (less lines dropped from its top) followed by more. */
function keptHole(before: string, text: string): number | undefined {
  if (text.startsWith(before)) return before.length;
  const probe = text.slice(0, PROBE_CHARS);
  if (probe === '') return undefined;
  // Only at a line start: the window drops whole lines.
  for (let d = before.indexOf(probe, 1); d > 0; d = before.indexOf(probe, d + 1)) {
    if (before[d - 1] === '\n' && text.startsWith(before.slice(d))) return before.length - d;
  }
  return undefined;
}

/** The start of the cursor's line, or the cursor itself when that line alone is over the limit. */
function newHole(text: string, maxMiddleChars: number): number {
  const lineStart = text.lastIndexOf('\n') + 1;
  return text.length - lineStart <= maxMiddleChars ? lineStart : text.length;
}
