import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTestModels, testModelPath } from '../models/testModels';

export const storiesModel = resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');

export const canaries = {
  env: 'CANARY_ENV_7f3a9c',
  setting: 'CANARY_SETTING_2b8e41',
  filesExclude: 'CANARY_FILES_EXCLUDE_5d0c77',
  /** Not a secret: proves the same path does carry allowed files. */
  allowed: 'ALLOWED_MARKER_9e6f12',
};

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
    // The exclusion canary test: one extra pattern of ours, and a files.exclude entry.
    'sovereign.context.exclude': ['.env*', '*.pem', '*.key', 'id_rsa*', '*.p12', '*.pfx', '.npmrc', '.netrc', 'credentials*', 'secrets'],
    'files.exclude': { '**/hidden': true },
  };
}

/**
 * A fresh folder with a small source file to open. Its name is always `workspace` (in a fresh
 * temporary parent): the folder's name is in the completion prompt (the repository name of the
 * FIM layout), and with a random-weight model a different name is a different suggestion, which
 * post-processing may keep in one run and drop in the next.
 */
export async function prepareIntegrationWorkspace(): Promise<string> {
  await ensureTestModels();
  const dir = join(await mkdtemp(join(tmpdir(), 'sovereign-it-')), 'workspace');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'main.py'), 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    \n');
  // Canaries: text that must never reach a prompt, in files each exclusion rule covers.
  await writeFile(join(dir, '.env'), `API_TOKEN=${canaries.env}\n`);
  await mkdir(join(dir, 'secrets'), { recursive: true });
  await writeFile(join(dir, 'secrets', 'token.py'), `TOKEN = "${canaries.setting}"\n`);
  await mkdir(join(dir, 'hidden'), { recursive: true });
  await writeFile(join(dir, 'hidden', 'notes.py'), `NOTE = "${canaries.filesExclude}"\n`);
  await writeFile(join(dir, 'util.py'), `def helper():\n    return "${canaries.allowed}"\n`);
  return dir;
}
