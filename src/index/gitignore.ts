/**
 * `.gitignore` files as the index reads them: what git would not track is not the user's code
 * (build output, dependencies, caches, local secrets). The common subset of git's rules: `#`
 * comments, `!` negation (last match wins), a trailing `/` for folders only, a pattern with a
 * slash anchored at its file's folder, one without matching a name at any depth, `*`, `?`, `**`,
 * and a file under an ignored folder stays ignored (git does not look inside it either).
 */
import { globToRegExp } from '../common/exclusions';

export interface GitignoreFile {
  /** The folder holding the file, relative to the workspace folder ('' at its root). */
  dir: string;
  text: string;
}

interface Rule {
  dir: string;
  re: RegExp;
  negate: boolean;
  folderOnly: boolean;
}

/** Returns whether a workspace-relative file path is ignored. */
export function compileGitignore(files: readonly GitignoreFile[]): (relativePath: string) => boolean {
  const rules: Rule[] = [];
  // Deeper files come later: their rules win over their parents', as in git.
  for (const file of [...files].sort((a, b) => depth(a.dir) - depth(b.dir))) {
    for (const raw of file.text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (line.length === 0 || line.startsWith('#')) continue;
      const negate = line.startsWith('!');
      if (negate) line = line.slice(1);
      const folderOnly = line.endsWith('/');
      if (folderOnly) line = line.slice(0, -1);
      const anchored = line.includes('/');
      line = line.replace(/^\//, '');
      if (line.length === 0) continue;
      rules.push({ dir: file.dir.replace(/\/$/, ''), re: globToRegExp(anchored ? line : `**/${line}`), negate, folderOnly });
    }
  }
  if (rules.length === 0) return () => false;
  const verdict = (path: string, isFolder: boolean): boolean | undefined => {
    let ignored: boolean | undefined;
    for (const r of rules) {
      if (r.folderOnly && !isFolder) continue;
      if (r.dir && !path.startsWith(`${r.dir}/`)) continue;
      const inner = r.dir ? path.slice(r.dir.length + 1) : path;
      if (r.re.test(inner)) ignored = !r.negate;
    }
    return ignored;
  };
  return (relativePath) => {
    const parts = relativePath.replace(/\\/g, '/').split('/').filter(Boolean);
    for (let end = 1; end < parts.length; end++) if (verdict(parts.slice(0, end).join('/'), true)) return true;
    return verdict(parts.join('/'), false) ?? false;
  };
}

const depth = (dir: string) => (dir ? dir.split('/').length : 0);
