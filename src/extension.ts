import * as vscode from 'vscode';
import { chatViewType } from './chat/chatView';
import { registerChat } from './chat/registerChat';
import { Commands } from './commands';
import { registerCommitMessage } from './commitMessage/registerCommitMessage';
import { registerCompletion } from './completion/registerCompletion';
import { registerEdit } from './edit/registerEdit';
import { errorMessage } from './common/errors';
import { tagged } from './common/log';
import { Config } from './config/config';
import { runtimeSettings } from './config/runtimeSettings';
import { restartKeys } from './config/settingKeys';
import { WorkspaceContentPolicy } from './config/workspaceContentPolicy';
import { registerCodeIndex } from './index/registerCodeIndex';
import { registerModels } from './models/registerModels';
import { RuntimeClient } from './runtime/client';
import { embeddedChatBackend } from './chat/chatBackend';
import { loggedChatBackend } from './chat/loggedChatBackend';
import { embeddedCompletionBackend } from './completion/completionBackend';
import { registerServer } from './server/registerServer';
import { selectChatBackend, selectCompletionBackend } from './server/selectBackend';
import { promptForModelOnce } from './ui/noModelPrompt';
import { registerStatusBar } from './ui/statusBar';
import { openWalkthroughOnFirstRun, registerWalkthrough } from './ui/walkthrough';
import type { SovereignApi } from './sovereignApi';

export type { SovereignApi } from './sovereignApi';

declare const __sovereignLoadStart: { at: number; rss: number } | undefined;
declare const __sovereignLoadEnd: number | undefined;

let runtime: RuntimeClient | undefined;

/**
 * A table of contents: each feature registers itself with one call. Nothing heavy happens here;
 * the worker starts and the model loads on first use.
 */
export function activate(context: vscode.ExtensionContext): SovereignApi {
  const phases: Record<string, number> = {};
  let last = performance.now();
  const mark = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round((now - last) * 10) / 10;
    last = now;
  };
  const loaded = typeof __sovereignLoadStart === 'undefined' ? { at: last, rss: process.memoryUsage.rss() } : __sovereignLoadStart;
  const loadEnd = typeof __sovereignLoadEnd === 'undefined' ? last : __sovereignLoadEnd;
  // Evaluating our bundle, then VS Code's own work before it calls activate (its storage, other
  // extensions): the second is reported but is not ours to spend.
  phases.load = Math.round((loadEnd - loaded.at) * 10) / 10;
  const hostWaitMs = Math.round((last - loadEnd) * 10) / 10;
  const log = vscode.window.createOutputChannel('Sovereign', { log: true });
  mark('log');
  context.subscriptions.push(log);
  const config = new Config();
  const client = new RuntimeClient({
    workerPath: context.asAbsolutePath('dist/worker.js'),
    log: tagged(log, 'runtime'),
    modelFor: (role) => config.modelFor(role),
    idleUnloadMs: () => runtimeSettings(config).idleUnloadMs,
  });
  runtime = client;
  context.subscriptions.push(client);

  mark('runtime');
  // One interface, two implementations: sovereign.backend picks per request (no reload needed).
  const server = registerServer(context, config, tagged(log, 'server'));
  const completionBackend = selectCompletionBackend(embeddedCompletionBackend(client, config), server.backend, server.useServer);
  // Each answer leaves one line in the log at debug level (latency, tokens, why it stopped).
  const chatBackend = loggedChatBackend(selectChatBackend(embeddedChatBackend(client, config), server.backend, server.useServer, server.onDidSwitch), tagged(log, 'chat'));
  mark('server');
  // One answer to "may this text reach a model?" for every feature, compiled once per settings change.
  const contentPolicy = new WorkspaceContentPolicy();
  context.subscriptions.push(contentPolicy);
  // Before completion (relevant code from other files) and chat (@workspace); it starts its scan later.
  const codeIndex = registerCodeIndex(context, config, contentPolicy, tagged(log, 'index'), client);
  mark('index');
  const completion = registerCompletion(context, completionBackend, config, contentPolicy, codeIndex.api, tagged(log, 'completion'));
  mark('completion');
  const chat = registerChat(context, chatBackend, config, contentPolicy, codeIndex.api, tagged(log, 'chat'));
  mark('chat');
  // In-place edits ask the same chat backend: the worker's priority gate, or the team server.
  context.subscriptions.push(registerEdit(chatBackend, config, contentPolicy, tagged(log, 'edit')));
  mark('edit');
  const commitMessage = registerCommitMessage(chatBackend, config, contentPolicy, tagged(log, 'commitMessage'));
  const models = registerModels(context, client, config, tagged(log, 'models'));
  mark('models');
  context.subscriptions.push(
    server.disposable,
    completion.disposable,
    registerStatusBar({ client, config, completion: completion.provider, requests: completion.pipeline, server, policy: contentPolicy, extensionId: context.extension.id }),
    chat.disposable,
    commitMessage,
    models.disposable,
    codeIndex.disposable,
    registerWalkthrough(context),
    vscode.commands.registerCommand(Commands.showLog, () => log.show(true)),
    vscode.commands.registerCommand(Commands.restartRuntime, () => client.restart()),
    vscode.commands.registerCommand(Commands.openChat, () => vscode.commands.executeCommand(`${chatViewType}.focus`)),
    config.onDidChange(restartKeys, () => void client.restart()),
  );

  // The notification comes after the walkthrough (when that opens), on top of the page that explains it.
  void openWalkthroughOnFirstRun(context, config, log)
    .catch((e: unknown) => log.warn(`walkthrough: ${errorMessage(e)}`))
    .then(() => promptForModelOnce(config));
  mark('rest');
  const ms = Object.values(phases).reduce((a, b) => a + b, 0);
  const activation = { ms, hostWaitMs, rssBeforeBytes: loaded.rss, rssAfterBytes: process.memoryUsage.rss(), phases };
  log.info(`activated in ${ms.toFixed(1)} ms (${Object.entries(phases).map(([k, v]) => `${k} ${v}`).join(', ')}; VS Code's own wait before activate: ${hostWaitMs} ms)`);
  return {
    runtime: client,
    completionProvider: completion.provider,
    completionCounters: completion.pipeline.counters,
    chat: chat.api,
    models: models.api,
    server: server.backend,
    codeIndex: codeIndex.api,
    activation,
  };
}

/** Waits for the worker to dispose its models and exit, so no process outlives the window. */
export async function deactivate(): Promise<void> {
  await runtime?.shutdown();
  runtime = undefined;
}
