import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Config } from '../config/config';
import type { ModelRole } from '../runtime/protocol';

/**
 * Lets the user pick a local GGUF file for a role; stored in the user's (machine) settings. The
 * dialog opens in the models folder, where downloads and hand-copied models live.
 */
export async function chooseModelFile(config: Config, role: ModelRole, modelsFolder: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    defaultUri: existsSync(modelsFolder) ? vscode.Uri.file(modelsFolder) : undefined,
    title: { completion: 'Choose a completion model (a coder base model, GGUF)', chat: 'Choose a chat model (an instruct model, GGUF)', embedding: 'Choose an embedding model (GGUF)' }[role],
    canSelectMany: false,
    filters: { 'GGUF models': ['gguf'] },
    openLabel: 'Use this model',
  });
  const file = picked?.[0];
  if (!file) return undefined;
  await config.setModelPath(role, file.fsPath);
  return file.fsPath;
}
