import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RuntimeClient, type RuntimeClientOptions } from '../../src/runtime/client';
import type { LoadModelParams, ModelRole } from '../../src/runtime/protocol';
import { silentLog } from '../../src/common/log';

export const repoRoot = resolve(__dirname, '..', '..');
export const workerPath = join(repoRoot, 'dist', 'worker.js');
/** The real-weights model shipped beside the checkout (no FIM tokens). */
export const storiesModel = resolve(repoRoot, '..', 'shared', 'models', 'stories260K.gguf');

export type Models = Partial<Record<ModelRole, string>>;

/**
 * A RuntimeClient against the real bundled worker (build first: `npm run build`). `models` is
 * mutable so a test can point a role at another file between requests.
 */
export function createRuntime(models: Models, options: Partial<RuntimeClientOptions> & { contextSize?: number; promptLookup?: boolean; cacheReuse?: boolean; cachedPlaces?: number; adaptiveThreads?: boolean } = {}): RuntimeClient {
  if (!existsSync(workerPath)) throw new Error(`${workerPath} is missing: run "npm run build" first`);
  return new RuntimeClient({
    workerPath,
    log: silentLog,
    idleUnloadMs: () => 0,
    modelFor: (role): Omit<LoadModelParams, 'role'> | undefined => {
      const path = models[role];
      return path ? { path, contextSize: options.contextSize ?? 2048, threads: 2, adaptiveThreads: options.adaptiveThreads ?? true, gpu: 'off', promptLookup: options.promptLookup, cacheReuse: options.cacheReuse, cachedPlaces: options.cachedPlaces } : undefined;
    },
    restartDelayMs: 50,
    ...options,
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const fimParams = (prefix: string, suffix: string, maxTokens = 16) => ({ prefix, suffix, maxTokens, maxPrefixTokens: 1024, maxSuffixTokens: 256 });
