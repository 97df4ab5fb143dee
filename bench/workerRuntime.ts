import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { silentLog } from '../src/common/log';
import { RuntimeClient } from '../src/runtime/client';
import type { ModelRole } from '../src/runtime/protocol';

export const workerPath = join(resolve(__dirname, '..'), 'dist', 'worker.js');

/**
 * A RuntimeClient on the built worker, the way the benchmarks run it: the given model file per
 * role, on the CPU, never unloaded while idle (completion: prompt lookup as `promptLookup` says;
 * KV reuse across jumps on unless `cacheReuse` is false, as in the extension; `cachedPlaces`
 * sequences, 1 unless given).
 */
export function workerRuntime(models: Partial<Record<ModelRole, string>>, options: { contextSize: number; threads: number; adaptiveThreads?: boolean; promptLookup?: boolean; cacheReuse?: boolean; cachedPlaces?: number }): RuntimeClient {
  if (!existsSync(workerPath)) throw new Error(`${workerPath} is missing: run "npm run build" first`);
  return new RuntimeClient({
    workerPath,
    log: silentLog,
    modelFor: (role) => {
      const path = models[role];
      return path ? { path, contextSize: options.contextSize, threads: options.threads, adaptiveThreads: options.adaptiveThreads ?? true, gpu: 'off', promptLookup: options.promptLookup, cacheReuse: options.cacheReuse ?? true, cachedPlaces: options.cachedPlaces } : undefined;
    },
    idleUnloadMs: () => 0,
  });
}
