/**
 * The environment the model worker starts with.
 *
 * One libuv pool thread: node-llama-cpp runs every decode on whichever pool thread is free, and its
 * CPU backend runs each decode with a team of threads (ggml's own thread pool: the prebuilt
 * binaries have no OpenMP, bench/results/runtime-build.md). With Node's default pool of 4, the
 * extra pool threads and their teams take cores from the one decoding; on 2 cores that
 * cost a quarter of the generation speed. With one pool thread, one team does all the work
 * (`npx tsx bench/genRate.ts`: pool 4 → 0.84×, pool 2 → 0.87×, pool 1 → 0.94× of llama-bench tg,
 * measured side by side; prompt speed unchanged). The price: a model load (also on the pool)
 * delays the other role's decode until it ends. Decodes never overlap anyway: completion holds the
 * priority gate over chat (priorityGate.ts).
 */
export const WORKER_THREAD_POOL_SIZE = 1;

export function workerEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    // In desktop VS Code execPath is Electron: run it as plain Node.
    ELECTRON_RUN_AS_NODE: '1',
    UV_THREADPOOL_SIZE: String(WORKER_THREAD_POOL_SIZE),
  };
}
