import * as vscode from 'vscode';
import { registerChatView, chatViewType } from './chat/chatView';
import { Commands } from './commands';
import { CompletionProvider } from './completion/provider';
import { tagged } from './common/log';
import { Config } from './config/config';
import { restartKeys, SettingKeys } from './config/settingKeys';
import { chooseModelFile } from './models/chooseModelFile';
import { RuntimeClient } from './runtime/client';
import { promptForModelOnce } from './ui/noModelPrompt';
import { registerStatusBar } from './ui/statusBar';

/** What `activate` returns: used by the integration tests, harmless to other extensions. */
export interface SovereignApi {
  readonly runtime: RuntimeClient;
  readonly completionProvider: vscode.InlineCompletionItemProvider;
  /** From the first line of the bundle to the end of activate(): read by bench:runtime. */
  readonly activation: { ms: number; rssBeforeBytes: number; rssAfterBytes: number };
}

declare const __sovereignLoadStart: { at: number; rss: number } | undefined;

let runtime: RuntimeClient | undefined;

/**
 * A table of contents: each feature registers itself with one call. Nothing heavy happens here;
 * the worker starts and the model loads on first use.
 */
export function activate(context: vscode.ExtensionContext): SovereignApi {
  const log = vscode.window.createOutputChannel('Sovereign', { log: true });
  context.subscriptions.push(log);
  const config = new Config();
  const client = new RuntimeClient({
    workerPath: context.asAbsolutePath('dist/worker.js'),
    log: tagged(log, 'runtime'),
    modelFor: (role) => config.modelFor(role),
    idleUnloadMs: () => config.get<number>(SettingKeys.idleUnloadMinutes) * 60_000,
  });
  runtime = client;
  context.subscriptions.push(client);

  // Registered synchronously: a provider registered late is not asked until the next keystroke.
  const completionProvider = new CompletionProvider(client, config, tagged(log, 'completion'));
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, completionProvider),
    registerStatusBar(client, config),
    registerChatView(context.extensionUri, client, config, tagged(log, 'chat')),
    vscode.commands.registerCommand(Commands.chooseCompletionModel, () => chooseModelFile(config, 'completion')),
    vscode.commands.registerCommand(Commands.chooseChatModel, () => chooseModelFile(config, 'chat')),
    vscode.commands.registerCommand(Commands.showLog, () => log.show(true)),
    vscode.commands.registerCommand(Commands.restartRuntime, () => client.restart()),
    vscode.commands.registerCommand(Commands.openChat, () => vscode.commands.executeCommand(`${chatViewType}.focus`)),
    config.onDidChange(restartKeys, () => void client.restart()),
  );

  void promptForModelOnce(config);
  const loaded = typeof __sovereignLoadStart === 'undefined' ? { at: performance.now(), rss: process.memoryUsage.rss() } : __sovereignLoadStart;
  const activation = { ms: performance.now() - loaded.at, rssBeforeBytes: loaded.rss, rssAfterBytes: process.memoryUsage.rss() };
  log.info(`activated in ${activation.ms.toFixed(1)} ms`);
  return { runtime: client, completionProvider, activation };
}

/** Waits for the worker to dispose its models and exit, so no process outlives the window. */
export async function deactivate(): Promise<void> {
  await runtime?.shutdown();
  runtime = undefined;
}
