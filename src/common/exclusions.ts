/**
 * Which files must never be sent to a model (secrets) or are hidden by the user (`files.exclude`).
 * Pure: chat attachments and completion's extra context both use it, and it is unit-tested.
 */

/** The default of `sovereign.context.exclude` (package.json repeats it: settings show it there). */
export const defaultContextExclude: readonly string[] = ['.env*', '*.pem', '*.key', 'id_rsa*', '*.p12', '*.pfx', '.npmrc', '.netrc', 'credentials*'];

export interface ExclusionRules {
  /**
   * `sovereign.context.exclude`: a pattern without a slash matches a file or folder name at any
   * depth (`.env*` catches `app/.env.local`); one with a slash matches the workspace-relative path.
   */
  secrets: readonly string[];
  /** `files.exclude` (the enabled keys): VS Code's meaning, always relative to the workspace folder. */
  hidden?: readonly string[];
}

/** Why a path is excluded: the setting and the pattern that matched. */
export interface Exclusion {
  setting: 'sovereign.context.exclude' | 'files.exclude';
  pattern: string;
}

/** Returns a function telling whether (and why) a path must not be attached. */
export function compileExclusions(rules: ExclusionRules): (path: string) => Exclusion | undefined {
  const secret = rules.secrets.filter(nonEmpty).map((p) => ({ pattern: p, re: globToRegExp(p), byName: !p.includes('/') }));
  const hidden = (rules.hidden ?? []).filter(nonEmpty).map((p) => ({ pattern: p, re: globToRegExp(p) }));
  return (path) => {
    const parts = normalize(path).split('/').filter(Boolean);
    // A folder that matches excludes everything below it, so test every ancestor too.
    for (let end = parts.length; end > 0; end--) {
      const sub = parts.slice(0, end).join('/');
      const name = parts[end - 1];
      for (const s of secret) if (s.re.test(s.byName ? name : sub)) return { setting: 'sovereign.context.exclude', pattern: s.pattern };
      for (const h of hidden) if (h.re.test(sub)) return { setting: 'files.exclude', pattern: h.pattern };
    }
    return undefined;
  };
}

/** The keys of a `files.exclude` object that are switched on (`{"**\/.git": true}`); `when` clauses count as on. */
export function enabledGlobs(setting: unknown): string[] {
  if (typeof setting !== 'object' || setting === null) return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([, v]) => v === true || (typeof v === 'object' && v !== null))
    .map(([k]) => k);
}

/**
 * VS Code's glob syntax: `*` and `?` within one path segment, `**` across segments, `{a,b}`,
 * `[abc]`/`[!abc]`. Case-insensitive on purpose: excluding `.ENV` too is the safe mistake.
 */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${source(normalize(glob))}$`, 'i');
}

function source(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:[^/]*/)*'; // zero or more whole folders
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) {
        out += '\\{';
        continue;
      }
      out += `(?:${glob.slice(i + 1, close).split(',').map(source).join('|')})`;
      i = close;
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      out += `[${negate ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

function normalize(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function nonEmpty(s: string): boolean {
  return typeof s === 'string' && s.trim().length > 0;
}
