import * as vscode from 'vscode';
import type { Log } from '../common/log';
import { completionSettings } from '../config/completionSettings';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { SettingKeys } from '../config/settingKeys';
import type { CompletionBackend } from './completionBackend';
import { Commands } from '../commands';
import { CompletionActivity } from './completionActivity';
import { CompletionPipeline } from './completionPipeline';
import type { CodeIndexApi } from '../index/workspaceIndexer';
import { registerCodebaseFeeder } from './codebaseFeeder';
import { registerContextFeeder } from './contextFeeder';
import { ContextRing } from './contextRing';
import { CompletionProvider } from './provider';

const pausedKey = 'sovereign.completion.paused';

export interface CompletionFeature {
  readonly provider: CompletionProvider;
  readonly pipeline: CompletionPipeline;
  readonly disposable: vscode.Disposable;
}

/**
 * Everything inline completion needs. The provider is registered synchronously: one registered
 * late is not asked until the user types again.
 */
export function registerCompletion(context: vscode.ExtensionContext, backend: CompletionBackend, config: Config, policy: WorkspaceContentPolicy, index: Pick<CodeIndexApi, 'search'>, log: Log): CompletionFeature {
  const ring = new ContextRing();
  // The context feeder waits for quiet after the last completion.
  const activity = new CompletionActivity();
  // Settings are read per request: the ring is used while sovereign.completion.extraContext is on.
  const pipeline = new CompletionPipeline(activity.track(backend), () => completionSettings(config), ring, log);
  const provider = new CompletionProvider(pipeline, config, policy, log, () => backend.configured());
  provider.setPaused(context.globalState.get<boolean>(pausedKey) ?? false);

  // Warm-up evaluates the prompt of where the user is now (a file just opened), not of the last request.
  const activeInput = () => {
    const editor = vscode.window.activeTextEditor;
    return editor && !provider.isPaused ? provider.inputFor(editor.document, editor.selection.active) : undefined;
  };

  const setPaused = async (paused: boolean) => {
    provider.setPaused(paused);
    await context.globalState.update(pausedKey, paused);
    void vscode.commands.executeCommand('setContext', 'sovereign.completionPaused', paused);
  };
  void vscode.commands.executeCommand('setContext', 'sovereign.completionPaused', provider.isPaused);

  const ringChanged = () => {
    const input = activeInput();
    if (input) void pipeline.warmUp(new AbortController().signal, input);
  };
  const disposable = vscode.Disposable.from(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    registerContextFeeder(ring, policy, () => activity.lastActiveAt(), ringChanged),
    // Relevant code from other files enters the same ring, under the same rules.
    registerCodebaseFeeder({ ring, policy, index, settings: () => completionSettings(config), lastCompletionAt: () => activity.lastActiveAt(), onChanged: ringChanged, log }),
    vscode.commands.registerCommand(Commands.pauseCompletions, () => setPaused(true)),
    vscode.commands.registerCommand(Commands.resumeCompletions, () => setPaused(false)),
    vscode.commands.registerCommand(Commands.triggerCompletion, () => vscode.commands.executeCommand('editor.action.inlineSuggest.trigger')),
    config.onDidChange([SettingKeys.completionModelPath, SettingKeys.backend, SettingKeys.serverUrl, SettingKeys.serverCompletionModel, SettingKeys.serverFimTemplate], () => pipeline.clearCache()),
  );
  return { provider, pipeline, disposable };
}
