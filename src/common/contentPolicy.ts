/**
 * "May this text reach a model?" answered once for every feature (completion, its extra context,
 * warm-up, chat attachments, and later inline edits and retrieval). Pure: the VS Code side
 * (config/workspaceContentPolicy.ts) only reads the settings and turns URIs into places.
 */
import { compileExclusions, type Exclusion } from './exclusions';

/**
 * Who wants the text; the rules beyond exclusions and binary content depend on it.
 * - `editing`: the document the user types in (completion, warm-up; later inline edits). VS Code
 *   decides where an editor is (a notebook cell, the SCM input), so no scheme rule.
 * - `chosen`: text the user picked for chat (active file, added files, selections): real documents only.
 * - `gathered`: text collected without asking (completion's extra context; later retrieval): real
 *   documents of the open workspace only. VS Code's own settings.json (opened to write a setting)
 *   or a file from elsewhere on disk may hold tokens and has nothing to teach about this code.
 */
export type ContentUse = 'editing' | 'chosen' | 'gathered';

export type Refusal =
  | { kind: 'excluded'; setting: Exclusion['setting']; pattern: string }
  | { kind: 'outsideWorkspace' }
  | { kind: 'scheme'; scheme: string }
  | { kind: 'binary' };

export type Verdict = { allowed: true } | { allowed: false; reason: Refusal };

/** Where a text comes from, as the policy needs to know it (built from a URI by the VS Code side). */
export interface ContentPlace {
  scheme: string;
  /** The URI's path: what the exclusions see outside every workspace folder. */
  path: string;
  /** The workspace folder holding it (its key, any stable string) and the path inside it. */
  folder?: { key: string; relativePath: string };
}

export interface ContentRules {
  /** `sovereign.context.exclude`. */
  contextExclude: readonly string[];
  /** The enabled `files.exclude` globs of each workspace folder (by key), and of files in no folder. */
  filesExclude: { folders: Readonly<Record<string, readonly string[]>>; elsewhere: readonly string[] };
}

export interface ContentPolicy {
  /** Decided before anything is read: scheme, workspace, exclusions. */
  place(place: ContentPlace, use: ContentUse): Verdict;
  /** A whole document's or file's content: binary when a NUL is in its first `binarySniffChars` characters. */
  start(content: string): Verdict;
  /** Text about to be sent (a window, a chunk, a selection): refused when it holds a NUL anywhere. */
  text(text: string): Verdict;
  /**
   * The whole answer for one use: the place first (nothing read yet), then the start of the
   * content when it has been read, then each text about to be sent.
   */
  check(use: ContentUse, place: ContentPlace, start: string | undefined, sent: readonly string[]): Verdict;
}

/**
 * How much of a document or file is looked at to call it binary (git looks at 8,000 bytes).
 * Characters, not bytes: VS Code hands documents over as decoded strings, and UTF-8 writes a 0
 * byte only for NUL, so NUL in the first N characters of a decoded file is a 0 in at least its
 * first N bytes. A document with a NUL there sends nothing at all, not even a clean part of it;
 * and text actually sent (a window, a chunk, a selection) is checked whole as well.
 */
export const binarySniffChars = 8000;

/** Schemes of real documents: not output panes, diffs of proposals, settings UIs or other virtual views. */
export const documentSchemes: ReadonlySet<string> = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

const allowed: Verdict = { allowed: true };
const refuse = (reason: Refusal): Verdict => ({ allowed: false, reason });

/** A NUL marks binary content (git's rule); other control characters are text. */
export function looksBinary(text: string): boolean {
  return text.includes('\0');
}

/** Compiles the globs once; the result answers without allocating per call beyond the path split. */
export function compileContentPolicy(rules: ContentRules): ContentPolicy {
  const elsewhere = compileExclusions({ secrets: rules.contextExclude, hidden: rules.filesExclude.elsewhere });
  const byFolder = new Map(Object.entries(rules.filesExclude.folders).map(([key, hidden]) => [key, compileExclusions({ secrets: rules.contextExclude, hidden })]));
  return {
    place(place, use) {
      if (use !== 'editing' && !documentSchemes.has(place.scheme)) return refuse({ kind: 'scheme', scheme: place.scheme });
      // An untitled buffer is in no folder but is the user's own work, not a file from elsewhere.
      if (use === 'gathered' && !place.folder && place.scheme !== 'untitled') return refuse({ kind: 'outsideWorkspace' });
      const test = place.folder ? (byFolder.get(place.folder.key) ?? elsewhere) : elsewhere;
      const excluded = test(place.folder ? place.folder.relativePath : place.path);
      return excluded ? refuse({ kind: 'excluded', ...excluded }) : allowed;
    },
    start(content) {
      return looksBinary(content.slice(0, binarySniffChars)) ? refuse({ kind: 'binary' }) : allowed;
    },
    text(text) {
      return looksBinary(text) ? refuse({ kind: 'binary' }) : allowed;
    },
    check(use, place, start, sent) {
      const where = this.place(place, use);
      if (!where.allowed) return where;
      if (start !== undefined) {
        const whole = this.start(start);
        if (!whole.allowed) return whole;
      }
      for (const text of sent) {
        const verdict = this.text(text);
        if (!verdict.allowed) return verdict;
      }
      return allowed;
    },
  };
}

/** Why, in words a user reads after the file's name: "…: matches ".env*" in sovereign.context.exclude". */
export function describeRefusal(reason: Refusal): string {
  switch (reason.kind) {
    case 'excluded':
      return `matches "${reason.pattern}" in ${reason.setting}`;
    case 'outsideWorkspace':
      return 'is outside the workspace';
    case 'scheme':
      return `is not a file (${reason.scheme}:)`;
    case 'binary':
      return 'is a binary file';
  }
}
