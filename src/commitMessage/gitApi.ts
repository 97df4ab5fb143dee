/**
 * The few members of VS Code's git extension API (vscode.git, `getAPI(1)`) a commit message needs,
 * typed here after its git.d.ts: the diff and the input box come from the repository the Source
 * Control view shows, with no `git` process of ours.
 */
import * as vscode from 'vscode';

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  /** `git diff` (`cached`: `git diff --cached`) of the whole repository. */
  diff(cached?: boolean): Promise<string>;
}

export interface GitApi {
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtensionExports {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** The git extension's API, or why there is none (in words that follow "Sovereign: "). */
export async function gitApi(): Promise<GitApi | string> {
  const extension = vscode.extensions.getExtension<GitExtensionExports>('vscode.git');
  if (!extension) return 'the Git extension (vscode.git) is not installed.';
  const exports = extension.isActive ? extension.exports : await extension.activate();
  if (!exports.enabled) return 'the Git extension is disabled (git.enabled).';
  return exports.getAPI(1);
}

/**
 * The repository a click means: the one whose Source Control title was clicked (VS Code passes
 * its SourceControl, with `rootUri`), else the only one, else the active editor's.
 */
export function pickRepository(api: GitApi, clicked: unknown): GitRepository | undefined {
  const root = (clicked as { rootUri?: unknown } | undefined)?.rootUri;
  if (root instanceof vscode.Uri) {
    const repository = api.getRepository(root);
    if (repository) return repository;
  }
  if (api.repositories.length <= 1) return api.repositories[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && api.getRepository(active)) || api.repositories[0];
}
