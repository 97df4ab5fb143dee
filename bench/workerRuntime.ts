import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { silentLog, type Log } from '../src/common/log';
import { RuntimeClient } from '../src/runtime/client';
import type { ModelRole } from '../src/runtime/protocol';

export const workerPath = join(resolve(__dirname, '..'), 'dist', 'worker.js');

/**
 * The worker's log, where $SOVEREIGN_BENCH_WORKER_LOG names a file (each line timestamped, to
 * line up with the bench's own log: the thread tuner's changes, for one); none otherwise.
 */
function benchLog(): Log {
  const file = process.env.SOVEREIGN_BENCH_WORKER_LOG;
  if (!file) return silentLog;
  const write = (level: string) => (message: string) => appendFileSync(file, `${new Date().toISOString()} ${level} ${message}\n`);
  return { trace: () => undefined, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

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
    log: benchLog(),
    modelFor: (role) => {
      const path = models[role];
      return path ? { path, contextSize: options.contextSize, threads: options.threads, adaptiveThreads: options.adaptiveThreads ?? true, gpu: 'off', promptLookup: options.promptLookup, cacheReuse: options.cacheReuse ?? true, cachedPlaces: options.cachedPlaces } : undefined;
    },
    idleUnloadMs: () => 0,
  });
}
