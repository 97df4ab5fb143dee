import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { WorkspaceIndexer, type CodeIndexApi, type Embedder } from './workspaceIndexer';

/** How long after activation the first scan starts: the window's own start-up goes first. */
const startDelayMs = 2000;

/** The codebase index and its commands; chat asks it through `api`. `embedder`: the runtime, for the optional embedding model. */
export function registerCodeIndex(context: vscode.ExtensionContext, config: Config, policy: WorkspaceContentPolicy, log: Log, embedder?: Embedder): { disposable: vscode.Disposable; api: CodeIndexApi } {
  const indexer = new WorkspaceIndexer(context, config, policy, log, embedder);
  const timer = setTimeout(() => indexer.start(), startDelayMs);
  const disposable = vscode.Disposable.from(
    indexer,
    { dispose: () => clearTimeout(timer) },
    vscode.commands.registerCommand(Commands.rebuildIndex, () => indexer.rebuild()),
    vscode.commands.registerCommand(Commands.showIndexedFiles, () => indexer.showIndexedFiles()),
    vscode.commands.registerCommand(Commands.cancelIndexing, () => indexer.cancel()),
  );
  return { disposable, api: indexer };
}
