export interface DocumentWindow {
  prefix: string;
  suffix: string;
  /** Text on the cursor's line after the cursor. */
  lineSuffix: string;
}

export interface WindowLimits {
  prefixLines: number;
  suffixLines: number;
}

/**
 * The text before and after the cursor, bounded by lines, so a 10,000-line file costs the same
 * as a short one. `lines` is the document split on line breaks.
 */
export function documentWindow(lines: readonly string[], line: number, character: number, limits: WindowLimits): DocumentWindow {
  const current = lines[line] ?? '';
  const first = Math.max(0, line - limits.prefixLines);
  const last = Math.min(lines.length - 1, line + limits.suffixLines);
  const before = lines.slice(first, line);
  const after = lines.slice(line + 1, last + 1);
  const lineSuffix = current.slice(character);
  return {
    prefix: [...before, current.slice(0, character)].join('\n'),
    suffix: [lineSuffix, ...after].join('\n'),
    lineSuffix,
  };
}
