import * as vscode from 'vscode';
import { Commands } from '../commands';
import { Emitter } from '../common/disposable';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { runtimeSettings } from '../config/runtimeSettings';
import type { RuntimeClient } from '../runtime/client';
import type { ModelRole } from '../runtime/protocol';
import type { ModelItem } from './modelItems';
import { selectModel } from './selectModel';

/** Seen by the integration tests: the items of each "Select Model…" quick pick as shown. */
export interface ModelsApi {
  readonly onDidShowItems: vscode.Event<{ role: ModelRole; items: readonly ModelItem[] }>;
  modelsFolder(): string;
}

/** `sovereign.models.folder` (machine scope), or `models/` under the extension's global storage. */
export function modelsFolder(context: vscode.ExtensionContext, config: Config): string {
  return runtimeSettings(config).modelsFolder || vscode.Uri.joinPath(context.globalStorageUri, 'models').fsPath;
}

export function registerModels(context: vscode.ExtensionContext, client: RuntimeClient, config: Config, log: Log): { disposable: vscode.Disposable; api: ModelsApi } {
  const shown = new Emitter<{ role: ModelRole; items: readonly ModelItem[] }>();
  const folder = () => modelsFolder(context, config);
  const deps = { client, config, log, modelsFolder: folder, onShow: (role: ModelRole, items: readonly ModelItem[]) => shown.fire({ role, items }) };
  const disposable = vscode.Disposable.from(
    shown,
    vscode.commands.registerCommand(Commands.selectCompletionModel, () => selectModel('completion', deps)),
    vscode.commands.registerCommand(Commands.selectChatModel, () => selectModel('chat', deps)),
    vscode.commands.registerCommand(Commands.selectEmbeddingModel, () => selectModel('embedding', deps)),
    vscode.commands.registerCommand(Commands.openModelsFolder, async () => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(folder()));
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(folder()));
    }),
  );
  return { disposable, api: { onDidShowItems: shown.event as vscode.Event<{ role: ModelRole; items: readonly ModelItem[] }>, modelsFolder: folder } };
}
