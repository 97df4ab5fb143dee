import * as vscode from 'vscode';
import type { Config } from '../config/config';
import { Commands } from '../commands';
import { backendSetting } from '../config/serverSettings';

/** One gentle prompt per window when no completion model is configured; never on keystrokes. */
export async function promptForModelOnce(config: Config): Promise<void> {
  if (config.modelPath('completion') || backendSetting(config) !== 'embedded') return;
  const choice = await vscode.window.showInformationMessage(
    'Sovereign needs a local GGUF model to complete code. Your code never leaves this machine.',
    'Choose model…',
  );
  if (choice) await vscode.commands.executeCommand(Commands.selectCompletionModel);
}
