import * as vscode from 'vscode';
import { compileExclusions, defaultContextExclude, enabledGlobs, type Exclusion } from '../common/exclusions';
import { SettingKeys, section } from './settingKeys';

/**
 * Tells whether a file's content may reach a prompt: secret files (`sovereign.context.exclude`)
 * and what the user hides (`files.exclude`) never do. Recompiled when those settings change.
 */
export class ExclusionFilter implements vscode.Disposable {
  private test: (path: string) => Exclusion | undefined = () => undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.compile();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${section}.${SettingKeys.contextExclude}`) || e.affectsConfiguration('files.exclude')) this.compile();
    });
  }

  /** The reason `uri` is excluded, or undefined when its content may be used. */
  excluded(uri: vscode.Uri): Exclusion | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const path = folder ? vscode.workspace.asRelativePath(uri, false) : uri.path;
    return this.test(path);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private compile(): void {
    const secrets = vscode.workspace.getConfiguration(section).get<string[]>(SettingKeys.contextExclude) ?? [...defaultContextExclude];
    const hidden = enabledGlobs(vscode.workspace.getConfiguration('files').get('exclude'));
    this.test = compileExclusions({ secrets, hidden });
  }
}
