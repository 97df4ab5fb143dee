import * as vscode from 'vscode';
import { modelLoadSettings, modelPath, modelPathKey, type ModelLoadSettings, type ModelRole } from './runtimeSettings';
import { SettingKeys, section, type SettingKey } from './settingKeys';
import { SettingsReader } from './settingsReader';

/**
 * VS Code's configuration as the typed readers see it. Nothing is cached: each read asks VS Code,
 * so a change applies to the next request without a reload.
 */
export class Config extends SettingsReader {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }

  protected override value(key: SettingKey): unknown {
    return this.cfg.get(key);
  }

  protected override defaultValue(key: SettingKey): unknown {
    return this.cfg.inspect(key)?.defaultValue;
  }

  modelPath(role: ModelRole): string | undefined {
    return modelPath(this, role);
  }

  modelFor(role: ModelRole): ModelLoadSettings | undefined {
    return modelLoadSettings(this, role);
  }

  async setModelPath(role: ModelRole, path: string): Promise<void> {
    await this.cfg.update(modelPathKey(role), path, vscode.ConfigurationTarget.Global);
  }

  /**
   * Turns completion on or off for one language in the user's settings (what the status menu
   * offers). Returns true when the workspace's own value still decides otherwise.
   */
  async setCompletionLanguage(languageId: string, on: boolean): Promise<boolean> {
    const key = SettingKeys.completionLanguages;
    const mine = this.cfg.inspect<Record<string, boolean>>(key)?.globalValue ?? {};
    await this.cfg.update(key, { ...mine, [languageId]: on }, vscode.ConfigurationTarget.Global);
    const now = this.cfg.get<Record<string, boolean>>(key) ?? {};
    return (now[languageId] ?? now['*'] ?? true) !== on;
  }

  onDidChange(keys: readonly SettingKey[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (keys.some((k) => e.affectsConfiguration(`${section}.${k}`))) listener();
    });
  }
}
