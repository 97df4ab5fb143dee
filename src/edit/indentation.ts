/** Indentation of a model's code moved to where the target sits in the file. */

const indentOf = (line: string): string => /^[ \t]*/.exec(line)![0];

function minIndent(lines: readonly string[]): number {
  return Math.min(...lines.map((l) => indentOf(l).length));
}

/**
 * Re-bases `lines` so their least-indented line sits at `indent`, keeping the relative structure.
 * One shape small models produce often is handled apart: the first line pulled to column 0 while
 * the others keep the file's indentation (they copied the target as shown without its first
 * line's indent); then only the first line moves.
 */
export function rebaseIndentation(lines: readonly string[], indent: string, target: string): string[] {
  const nonBlank = lines.filter((l) => l.trim());
  if (!nonBlank.length) return [...lines];
  const first = indentOf(nonBlank[0]);
  const rest = nonBlank.slice(1);
  const targetRest = target.split('\n').filter((l) => l.trim()).slice(1);
  if (rest.length && targetRest.length && first.length < indent.length) {
    const restMin = minIndent(rest);
    if (restMin === minIndent(targetRest) && restMin > first.length) {
      const i = lines.indexOf(nonBlank[0]);
      return lines.map((l, j) => (j === i ? indent + l.trimStart() : l.trim() ? l : ''));
    }
  }
  const base = minIndent(nonBlank);
  return lines.map((l) => (l.trim() ? indent + l.slice(base) : ''));
}
