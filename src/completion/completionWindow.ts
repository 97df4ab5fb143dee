import type { CompletionInput } from './completionEngine';

/** The part of a document the window needs (a `vscode.TextDocument` adapts in one line). */
export interface LineSource {
  readonly lineCount: number;
  lineAt(line: number): string;
}

const windowStep = 16;

export interface WindowLimits {
  prefixLines: number;
  suffixLines: number;
}

/**
 * The text around the cursor, bounded by lines: a 10,000-line file costs the same as a short one.
 */
export function completionWindow(doc: LineSource, line: number, character: number, limits: WindowLimits): CompletionInput {
  // The window's first line moves in steps of 16, so the prompt's start (and its KV state) stays
  // the same while the user types on, also across new lines.
  const first = Math.floor(Math.max(0, line - limits.prefixLines) / windowStep) * windowStep;
  const last = Math.min(doc.lineCount - 1, line + limits.suffixLines);
  const current = doc.lineAt(line);
  const before: string[] = [];
  for (let i = first; i < line; i++) before.push(doc.lineAt(i));
  const below: string[] = [];
  for (let i = line + 1; i <= last; i++) below.push(doc.lineAt(i));
  const linePrefix = current.slice(0, character);
  const lineSuffix = current.slice(character);
  return {
    prefix: [...before, linePrefix].join('\n'),
    suffix: [lineSuffix, ...below].join('\n'),
    linePrefix,
    lineSuffix,
    linesBelow: below,
  };
}
