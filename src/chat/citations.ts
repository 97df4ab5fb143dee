/**
 * `path:line` mentions in a model's answer (`src/a.ts:12`, `src/a.ts:3-9`, `src/a.ts#L12`,
 * `src\a.ts:12:5`). Only candidates: the host keeps those that name a file of the workspace
 * (citationTargets in workspaceContext.ts) and the page links only those. Imported by the webview
 * bundle too: no `vscode`, no Node.
 */

/** A place in a workspace file: `path` is workspace-relative with `/`, lines are 1-based. */
export interface SourceLocation {
  path: string;
  line: number;
  endLine?: number;
}

export interface Citation extends SourceLocation {
  /** Where the mention is in the text, and its length (path and line numbers, no punctuation around). */
  index: number;
  length: number;
}

const segment = String.raw`(?:\.(?=[\\/])|\.?[\w@+$-][\w.@+$-]*)`;
// Not inside a longer token: a URL's host (`//example.com:80`), a drive's path after `C:`, a word.
const mention = new RegExp(
  String.raw`(?<![\w.@+$\\/:-])((?:[A-Za-z]:)?[\\/]?${segment}(?:[\\/]${segment})*)` +
    String.raw`(?::(\d+)(?:\s?[-–]\s?(\d+))?(?::\d+)?|#L(\d+)(?:-L?(\d+))?)(?![\w.]\w|\w)`,
  'g',
);

/** Every relative `path:line` mention, in order. Absolute paths, `..` and URLs are not mentions. */
export function findCitations(text: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(mention)) {
    const path = normalizePath(m[1]);
    const line = Number(m[2] ?? m[4]);
    const end = m[3] ?? m[5];
    if (!path || !(line >= 1)) continue;
    const endLine = end === undefined ? undefined : Number(end);
    out.push({ path, line, endLine: endLine !== undefined && endLine >= line ? endLine : undefined, index: m.index, length: m[0].length });
  }
  return out;
}

/**
 * `src\a.ts` → `src/a.ts`, `./a.ts` → `a.ts`; undefined for what cannot be a workspace-relative file:
 * absolute, a drive, `..`, or a bare word with neither a folder nor an extension (`localhost:8080`).
 */
export function normalizePath(raw: string): string | undefined {
  if (/^[\\/]|^[A-Za-z]:|[:*?"<>|\0]/.test(raw)) return undefined;
  const parts = raw.split(/[\\/]/);
  while (parts[0] === '.') parts.shift();
  if (parts.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  const last = parts[parts.length - 1];
  if (parts.length === 1 && !/.\.[A-Za-z][\w-]*$/.test(last)) return undefined;
  return parts.join('/');
}

/** The label of a chunk and a Sources link: `src/a.ts:3-9`, or `src/a.ts:3` for one line. */
export function locationLabel(l: SourceLocation): string {
  return l.endLine !== undefined && l.endLine !== l.line ? `${l.path}:${l.line}-${l.endLine}` : `${l.path}:${l.line}`;
}
