import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTestModels, testModelPath } from '../models/testModels';

export const storiesModel = resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');

/** User settings for a test VS Code: real test models, no waiting, nothing unloaded mid-test. */
export function integrationSettings(): Record<string, unknown> {
  return {
    'sovereign.completion.modelPath': testModelPath('fim-qwen2'),
    'sovereign.chat.modelPath': storiesModel,
    'sovereign.completion.debounceMs': 0,
    'sovereign.completion.maxTokens': 12,
    'sovereign.chat.maxTokens': 48,
    'sovereign.runtime.threads': 2,
    'sovereign.runtime.idleUnloadMinutes': 0,
    'sovereign.gpu': 'off',
  };
}

/** A fresh folder with a small source file to open. */
export async function prepareIntegrationWorkspace(): Promise<string> {
  await ensureTestModels();
  const dir = join(tmpdir(), `sovereign-it-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'main.py'), 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    \n');
  return dir;
}
