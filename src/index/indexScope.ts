/**
 * Which workspace files the index reads, beyond the content policy: `sovereign.index.include`
 * (only these folders, when set), `sovereign.index.exclude` and the folder's `.gitignore` files.
 * Pure; the VS Code side lists the files and asks the content policy first.
 */
import { compileExclusions, globToRegExp } from '../common/exclusions';
import { compileGitignore, type GitignoreFile } from './gitignore';

export interface IndexScopeRules {
  include: readonly string[];
  exclude: readonly string[];
  gitignore: readonly GitignoreFile[];
}

/** Whether a path relative to its workspace folder is in the index's scope. */
export function compileIndexScope(rules: IndexScopeRules): (relativePath: string) => boolean {
  // A pattern naming a folder (`src`, `src/**`) includes what is below it.
  const include = rules.include.map((g) => globToRegExp(g.replace(/\/?(\*\*)?\/?$/, '/**')));
  const excluded = compileExclusions({ secrets: rules.exclude });
  const ignored = compileGitignore(rules.gitignore);
  return (relativePath) => {
    const path = relativePath.replace(/\\/g, '/');
    if (include.length > 0 && !include.some((re) => re.test(path))) return false;
    return !excluded(path) && !ignored(path);
  };
}
