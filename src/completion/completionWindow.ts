import { charsPerToken } from '../common/charsPerToken';
import type { CompletionEditorSettings } from '../config/completionSettings';
import type { CompletionInput } from './completionPipeline';

/** The part of a document the window needs (a `vscode.TextDocument` adapts in one line). */
export interface LineSource {
  readonly lineCount: number;
  lineAt(line: number): string;
}

const windowStep = 16;
/** A cut inside one very long line moves in steps of this many characters (see below). */
const charStep = 1024;

/** The suffix window holds at least this many characters: the cursor's line decides single-line mode and post-processing. */
const minSuffixChars = 256;

/** The completion settings that bound the window (sovereign.completion.*). */
export type WindowSettings = Pick<CompletionEditorSettings, 'prefixLines' | 'suffixLines' | 'maxPrefixTokens' | 'maxSuffixTokens'>;

export interface WindowLimits {
  prefixLines: number;
  suffixLines: number;
  /** Most characters before and after the cursor. */
  prefixChars: number;
  suffixChars: number;
}

/**
 * Bounds that hold whatever the lines look like (a 5 MB minified line). The worker cuts the text
 * to its token budgets; these only have to be generous enough to fill them.
 */
export function windowLimits(s: WindowSettings): WindowLimits {
  return {
    prefixLines: s.prefixLines,
    suffixLines: s.suffixLines,
    prefixChars: s.maxPrefixTokens * charsPerToken.most,
    suffixChars: Math.max(minSuffixChars, s.maxSuffixTokens * charsPerToken.most),
  };
}

/** Where the document sits in the workspace (given to FIM families with repository tokens). */
export interface WindowPlace {
  filePath?: string;
  repoName?: string;
}

/**
 * What the completion pipeline gets at a cursor, built the same way by the extension (provider.ts)
 * and the benchmark. Character bounds come from the token bounds: a 5 MB minified line is
 * sliced, never sent whole.
 */
export function completionInputAt(doc: LineSource, line: number, character: number, settings: WindowSettings, place: WindowPlace = {}): CompletionInput {
  const window = completionWindow(doc, line, character, windowLimits(settings));
  return { ...window, filePath: place.filePath, repoName: place.repoName };
}

/**
 * The text around the cursor, bounded by lines and by characters: a 10,000-line file or a 5 MB
 * one-line file costs the same as a short one. It reads only the lines it keeps and slices the
 * cursor's line, so nothing the size of the document is copied.
 */
export function completionWindow(doc: LineSource, line: number, character: number, limits: WindowLimits): CompletionInput {
  const prefixChars = Math.max(1, limits.prefixChars);
  const suffixChars = Math.max(0, limits.suffixChars);
  const current = doc.lineAt(line);
  const cursor = Math.min(character, current.length);

  // Past the budget, the cut inside the cursor's line moves in whole steps: the prompt's start
  // (and its KV state) stays the same for `charStep` keystrokes.
  const cut = cursor > prefixChars ? codePointStart(current, Math.ceil((cursor - prefixChars) / charStep) * charStep) : 0;
  const linePrefix = current.slice(cut, cursor);
  const before = cut === 0 ? linesAbove(doc, line, limits.prefixLines, prefixChars - linePrefix.length) : [];

  const lineSuffix = current.slice(cursor, codePointEnd(current, cursor + suffixChars));
  const below: string[] = [];
  if (cursor + lineSuffix.length === current.length) {
    let budget = suffixChars - lineSuffix.length;
    const last = Math.min(doc.lineCount - 1, line + limits.suffixLines);
    for (let i = line + 1; i <= last; i++) {
      const text = doc.lineAt(i);
      if (text.length + 1 > budget) break;
      budget -= text.length + 1;
      below.push(text);
    }
  }
  return {
    prefix: [...before, linePrefix].join('\n'),
    suffix: [lineSuffix, ...below].join('\n'),
    linePrefix,
    lineSuffix,
    linesBelow: below,
  };
}

/**
 * Lines above the cursor that fit `budget` characters. The first line moves in steps of 16, so
 * the prompt's start stays the same while the user types on, also across new lines; when long
 * lines make even that too much, it moves line by line.
 */
function linesAbove(doc: LineSource, line: number, maxLines: number, budget: number): string[] {
  const first = Math.floor(Math.max(0, line - maxLines) / windowStep) * windowStep;
  const above: string[] = []; // nearest first
  let start = line;
  for (let i = line - 1; i >= first; i--) {
    const text = doc.lineAt(i);
    if (text.length + 1 > budget) break;
    budget -= text.length + 1;
    above.push(text);
    start = i;
  }
  if (start > first) {
    const aligned = Math.ceil(start / windowStep) * windowStep;
    if (aligned < line) above.length = line - aligned;
  }
  return above.reverse();
}

/** A cut never splits a surrogate pair: a start moves past its second half, an end before its first. */
function codePointStart(text: string, offset: number): number {
  return offset > 0 && offset < text.length && isLowSurrogate(text.charCodeAt(offset)) ? offset + 1 : offset;
}

function codePointEnd(text: string, offset: number): number {
  if (offset >= text.length) return text.length;
  return offset > 0 && isLowSurrogate(text.charCodeAt(offset)) ? offset - 1 : offset;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
