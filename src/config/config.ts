import * as vscode from 'vscode';
import type { GpuSetting, LoadModelParams, ModelRole } from '../runtime/protocol';
import { SettingKeys, section, type SettingKey } from './settingKeys';

/** Reads settings lazily, at the moment they are needed, so changes apply without a reload. */
export class Config {
  private get cfg(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }

  get<T>(key: SettingKey): T {
    return this.cfg.get<T>(key) as T;
  }

  /**
   * Model paths are machine-scoped settings; `SOVEREIGN_MODEL` (an environment variable, also
   * machine-level) serves `npm start` and first tries with a local GGUF file.
   */
  modelPath(role: ModelRole): string | undefined {
    const key = role === 'completion' ? SettingKeys.completionModelPath : SettingKeys.chatModelPath;
    const fromSettings = this.get<string>(key)?.trim();
    return fromSettings || process.env.SOVEREIGN_MODEL || undefined;
  }

  modelFor(role: ModelRole): Omit<LoadModelParams, 'role'> | undefined {
    const path = this.modelPath(role);
    if (!path) return undefined;
    return {
      path,
      contextSize: this.get<number>(role === 'completion' ? SettingKeys.completionContextSize : SettingKeys.chatContextSize),
      threads: this.get<number>(SettingKeys.threads),
      gpu: this.get<GpuSetting>(SettingKeys.gpu),
    };
  }

  async setModelPath(role: ModelRole, path: string): Promise<void> {
    const key = role === 'completion' ? SettingKeys.completionModelPath : SettingKeys.chatModelPath;
    await this.cfg.update(key, path, vscode.ConfigurationTarget.Global);
  }

  onDidChange(keys: readonly SettingKey[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (keys.some((k) => e.affectsConfiguration(`${section}.${k}`))) listener();
    });
  }
}
