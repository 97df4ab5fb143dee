import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { SettingKeys, type SettingKey } from '../config/settingKeys';
import { backendSetting, serverSettings } from '../config/serverSettings';
import { ServerBackend } from './serverBackend';

/** The key's name in VS Code's SecretStorage (the OS keychain); never in settings. */
const apiKeySecret = 'sovereign.server.apiKey';

const serverKeys: readonly SettingKey[] = [
  SettingKeys.backend,
  SettingKeys.serverUrl,
  SettingKeys.serverAllowedHosts,
  SettingKeys.serverAllowPublicHosts,
  SettingKeys.serverCompletionModel,
  SettingKeys.serverChatModel,
  SettingKeys.serverFimTemplate,
  SettingKeys.chatContextSize,
  SettingKeys.offline,
];

export interface ServerFeature {
  readonly backend: ServerBackend;
  /** `sovereign.backend` is not `embedded` right now. */
  useServer(): boolean;
  /** Fires when the backend or a server setting changes. */
  readonly onDidSwitch: vscode.Event<void>;
  readonly disposable: vscode.Disposable;
}

/**
 * The team server backend: its settings (all machine-scoped, so a workspace cannot redirect code
 * to a server), the API key in SecretStorage, and the two key commands. Setting changes apply to
 * the next request; nothing needs a reload.
 */
export function registerServer(context: vscode.ExtensionContext, config: Config, log: Log): ServerFeature {
  const useServer = () => backendSetting(config) !== 'embedded';
  let key: Promise<string | undefined> | undefined;
  const backend = new ServerBackend({
    settings: () => serverSettings(config),
    apiKey: () => (key ??= Promise.resolve(context.secrets.get(apiKeySecret))),
    log,
  });
  const switched = new vscode.EventEmitter<void>();
  const reset = () => {
    key = undefined;
    backend.reset();
    switched.fire();
  };
  const disposable = vscode.Disposable.from(
    backend,
    switched,
    config.onDidChange(serverKeys, reset),
    context.secrets.onDidChange((e) => {
      if (e.key === apiKeySecret) reset();
    }),
    vscode.commands.registerCommand(Commands.setServerApiKey, async () => {
      const value = await vscode.window.showInputBox({
        title: 'Sovereign: Team server API key',
        prompt: 'Sent as "Authorization: Bearer …" to sovereign.server.url only. Stored in the OS keychain (VS Code SecretStorage), never in settings.',
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      await context.secrets.store(apiKeySecret, value.trim());
      void vscode.window.showInformationMessage('Sovereign: server API key saved.');
    }),
    vscode.commands.registerCommand(Commands.clearServerApiKey, async () => {
      await context.secrets.delete(apiKeySecret);
      void vscode.window.showInformationMessage('Sovereign: server API key removed.');
    }),
  );
  return { backend, useServer, onDidSwitch: switched.event, disposable };
}
