/**
 * bench:runtime — activation time and memory of the extension host, and per test model the
 * worker's memory and time to first token (cold and warm), plus whether an idle unload gives the
 * memory back. Prints a table and writes bench/results/runtime.json. A benchmark, not a test.
 *
 *   npm run bench:runtime [-- --no-bench-model]
 */
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { silentLog } from '../src/common/log';
import { RuntimeClient } from '../src/runtime/client';
import type { ModelRole } from '../src/runtime/protocol';
import { startCodeServer } from '../scripts/vscode/codeServer';
import { openWorkbench } from '../scripts/vscode/browser';
import { integrationSettings, prepareIntegrationWorkspace, storiesModel } from '../scripts/vscode/integrationSettings';
import { ensureTestModels, testModelPath } from '../scripts/models/testModels';

const repo = resolve(__dirname, '..');
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ModelFigures {
  name: string;
  role: ModelRole;
  file_mb: number;
  kv_mb: number;
  worker_rss_mb: number;
  rss_budget_mb: number;
  within_budget: boolean;
  first_token_cold_ms: number;
  first_token_warm_ms: number;
  worker_rss_after_idle_unload_mb: number;
  released_mb: number;
}

async function measureModel(name: string, path: string, role: ModelRole): Promise<ModelFigures> {
  const idleMs = 1500;
  const runtime = new RuntimeClient({
    workerPath: join(repo, 'dist', 'worker.js'),
    log: silentLog,
    // Completion keeps the extension's default three places (sovereign.completion.cachedPlaces): KV for each.
    modelFor: () => ({ path, contextSize: 4096, threads: 0, adaptiveThreads: true, gpu: 'off', ...(role === 'completion' ? { cacheReuse: true, cachedPlaces: 3 } : {}) }),
    idleUnloadMs: () => idleMs,
  });
  try {
    const firstToken = async (text: string): Promise<number> => {
      const started = performance.now();
      if (role === 'completion') {
        await runtime.complete({ prefix: text, suffix: '\n', maxTokens: 1, maxPrefixTokens: 2048, maxSuffixTokens: 512 });
        return performance.now() - started;
      }
      let first = 0;
      await runtime.chat([{ role: 'user', content: text }], { maxTokens: 2, onText: () => (first ||= performance.now()) });
      return (first || performance.now()) - started;
    };
    const cold = await firstToken('def fibonacci(n):\n    ');
    const warm = await firstToken('def fibonacci(n):\n    i');
    const loaded = (await runtime.status())!;
    const info = loaded.models[0];
    await sleep(idleMs + 1000);
    const unloaded = (await runtime.status())!;
    if (unloaded.models.length) throw new Error(`${name}: still loaded after the idle time`);
    const fileMb = mb((await stat(path)).size);
    const kvMb = mb(info.kvBytes);
    const budget = fileMb + kvMb + 200;
    return {
      name,
      role,
      file_mb: fileMb,
      kv_mb: kvMb,
      worker_rss_mb: mb(loaded.rssBytes),
      rss_budget_mb: Math.round(budget),
      within_budget: mb(loaded.rssBytes) <= budget,
      first_token_cold_ms: Math.round(cold),
      first_token_warm_ms: Math.round(warm),
      worker_rss_after_idle_unload_mb: mb(unloaded.rssBytes),
      released_mb: Math.round(mb(loaded.rssBytes - unloaded.rssBytes)),
    };
  } finally {
    await runtime.shutdown();
  }
}

async function measureExtensionHost(): Promise<{ activation_ms: number; activation_phases_ms: Record<string, number>; host_wait_before_activate_ms: number; extension_host_added_mb: number; activation_added_mb: number; first_completion_ms: number }> {
  const folder = await prepareIntegrationWorkspace();
  const server = await startCodeServer({ folder, userSettings: integrationSettings() });
  try {
    const wb = await openWorkbench(server, {
      folder,
      extensionDevelopmentPath: repo,
      extensionTestsPath: join(repo, 'out', 'bench', 'hostProbe.js'),
      echoLogs: false,
    });
    try {
      const code = await Promise.race([wb.exitCode, sleep(180_000).then(() => -1)]);
      const line = wb.logs.find((l) => l.includes('BENCH_JSON '));
      if (code !== 0 || !line) throw new Error(`host probe failed (exit ${code}):\n${wb.logs.join('\n')}`);
      const r = JSON.parse(line.slice(line.indexOf('BENCH_JSON ') + 11));
      return {
        activation_ms: Math.round(r.activation_ms * 10) / 10,
        activation_phases_ms: r.activation_phases_ms as Record<string, number>,
        host_wait_before_activate_ms: Math.round(r.host_wait_before_activate_ms),
        activation_added_mb: mb(r.rss_after_activation_bytes - r.rss_before_load_bytes),
        extension_host_added_mb: mb(r.rss_after_completion_bytes - r.rss_before_load_bytes),
        first_completion_ms: Math.round(r.first_completion_ms),
      };
    } finally {
      await wb.close();
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const withBench = !process.argv.includes('--no-bench-model');
  await ensureTestModels({ bench: withBench });
  if (!existsSync(join(repo, 'out', 'bench', 'hostProbe.js'))) throw new Error('run "npm run build" first');

  const host = await measureExtensionHost();
  console.log('extension host:', host);

  const models: ModelFigures[] = [];
  const list: [string, string, ModelRole][] = [
    ['stories260K (chat)', storiesModel, 'chat'],
    ['fim-deepseek', testModelPath('fim-deepseek'), 'completion'],
    ['fim-qwen2', testModelPath('fim-qwen2'), 'completion'],
  ];
  if (withBench) list.push(['qwen2.5-coder-0.5b-shape F16', testModelPath('bench-qwen2.5-coder-0.5b-f16'), 'completion']);
  for (const [name, path, role] of list) {
    const m = await measureModel(name, path, role);
    models.push(m);
    console.log(m);
  }
  // Judged on the largest model, where the weights dominate the worker's memory: at least 80% of
  // the file's size must leave the worker's RSS (the context estimate is an upper bound that RSS
  // only partly reflects, so it is not counted).
  const largest = models.reduce((a, b) => (b.file_mb > a.file_mb ? b : a));
  const idleUnloadReleased = largest.released_mb >= 0.8 * largest.file_mb;

  const result = {
    measured_at: new Date().toISOString(),
    machine: `${(await import('node:os')).cpus().length} logical cores, ${mb((await import('node:os')).totalmem())} MB`,
    activation_ms: host.activation_ms,
    activation_target_ms: 50,
    activation_phases_ms: host.activation_phases_ms,
    vscode_wait_before_activate_ms: host.host_wait_before_activate_ms,
    extension_host_added_mb: host.extension_host_added_mb,
    extension_host_added_at_activation_mb: host.activation_added_mb,
    extension_host_target_mb: 30,
    first_completion_in_host_ms: host.first_completion_ms,
    models,
    idle_unload_released: idleUnloadReleased,
  };
  await mkdir(join(repo, 'bench', 'results'), { recursive: true });
  await writeFile(join(repo, 'bench', 'results', 'runtime.json'), JSON.stringify(result, null, 2) + '\n');
  console.table(models.map((m) => ({ name: m.name, file: m.file_mb, kv: m.kv_mb, rss: m.worker_rss_mb, budget: m.rss_budget_mb, cold: m.first_token_cold_ms, warm: m.first_token_warm_ms, released: m.released_mb })));
  console.log(JSON.stringify({ activation_ms: result.activation_ms, extension_host_added_mb: result.extension_host_added_mb, idle_unload_released: idleUnloadReleased }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
