/**
 * A `git diff` output cut into one section per file, so each file's content can be withheld or
 * trimmed on its own. Pure: the commit-message prompt is built and unit-tested from it.
 */

export interface DiffFile {
  /** The path after the change (before it, for a deletion), without git's `a/` `b/` prefix. */
  path: string;
  /**
   * Every path this section names, as written and without its prefix, old and new: an exclusion
   * check asks about all of them, so a renamed `.env` or a diff made with `diff.noprefix` (where
   * `a/` may be a real folder) never slips through.
   */
  names: string[];
  /** `diff --git` and the extended header lines (index, mode, rename, `---`/`+++`). */
  header: string;
  /** From the first `@@` (or `Binary files …`) to the end: '' for a mode change or a pure rename. */
  hunks: string;
  added: number;
  removed: number;
}

/** Prefixes git writes before paths: `a/` `b/`, and with `diff.mnemonicPrefix` `i/` `w/` `c/` `o/`. */
const prefix = /^[abciwo12]\//;

export function parseUnifiedDiff(diff: string): DiffFile[] {
  const lines = diff.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: DiffFile[] = [];
  let start = lines.findIndex((l) => l.startsWith('diff --git '));
  while (start >= 0 && start < lines.length) {
    let end = start + 1;
    while (end < lines.length && !lines[end].startsWith('diff --git ')) end++;
    files.push(fileSection(lines.slice(start, end)));
    start = end;
  }
  return files;
}

function fileSection(lines: string[]): DiffFile {
  let body = lines.findIndex((l, i) => i > 0 && (l.startsWith('@@') || l.startsWith('Binary files ')));
  if (body < 0) body = lines.length;
  const header = lines.slice(0, body);
  const hunkLines = lines.slice(body);
  const raw: string[] = [];
  let newPath: string | undefined;
  let oldPath: string | undefined;
  for (const line of header.slice(1)) {
    const m = /^(rename from|rename to|copy from|copy to|--- |\+\+\+ )\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = unquote(m[2].replace(/\t$/, ''));
    if (name === '/dev/null') continue;
    raw.push(name);
    const bare = m[1] === '--- ' || m[1] === '+++ ' ? name.replace(prefix, '') : name;
    if (m[1] === 'rename to' || m[1] === 'copy to' || m[1] === '+++ ') newPath ??= bare;
    else oldPath ??= bare;
  }
  // A mode change or a binary file has no ---/+++ lines: the paths are only on the first line.
  if (!newPath && !oldPath) {
    const both = gitLinePaths(header[0].slice('diff --git '.length));
    raw.push(...both);
    [oldPath, newPath] = both.map((p) => p.replace(prefix, ''));
  }
  const path = newPath ?? oldPath ?? '';
  let added = 0;
  let removed = 0;
  for (const l of hunkLines) {
    if (l.startsWith('+')) added++;
    else if (l.startsWith('-')) removed++;
  }
  const names = [...new Set([...raw, ...raw.map((p) => p.replace(prefix, '')), path, ...(oldPath ? [oldPath] : [])])].filter(Boolean);
  return { path, names, header: header.join('\n'), hunks: hunkLines.join('\n'), added, removed };
}

/** `a/x b/x`, `"a/x y" "b/x y"`, or unquoted names with spaces (split where both halves agree). */
function gitLinePaths(rest: string): string[] {
  if (rest.startsWith('"')) {
    const close = closingQuote(rest);
    const first = unquote(rest.slice(0, close + 1));
    return [first, unquote(rest.slice(close + 1).trim())];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(0, half).replace(prefix, '') === rest.slice(half + 1).replace(prefix, '')) {
    return [rest.slice(0, half), rest.slice(half + 1)];
  }
  const space = rest.indexOf(' b/');
  return space > 0 ? [rest.slice(0, space), rest.slice(space + 1)] : [rest];
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** git's C-style quoting of unusual names: `"t\303\251st"` is `tést` (octal escapes are UTF-8 bytes). */
export function unquote(name: string): string {
  if (!(name.length >= 2 && name.startsWith('"') && name.endsWith('"'))) return name;
  const bytes: number[] = [];
  const inner = name.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c !== '\\') {
      bytes.push(...new TextEncoder().encode(c));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(inner.slice(i + 1));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      const next = inner[++i];
      bytes.push(escapes[next] ?? next.charCodeAt(0));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
