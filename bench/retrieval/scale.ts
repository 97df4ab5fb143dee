/**
 * The scale part: a synthetic workspace indexed by the real worker thread (dist/indexWorker.js,
 * through the client the extension uses) while this thread, standing for the extension host,
 * measures its own event-loop delay. Then one edited file, queries, memory, the file on disk,
 * and loading it again (what a window reload pays).
 */
import { appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { IndexWorkerClient } from '../../src/index/indexWorkerClient';
import type { SyntheticWorkspace } from './syntheticWorkspace';

export interface ScaleRun {
  files: number;
  bytes: number;
  chunks: number;
  partial: boolean;
  full_index_s: number;
  files_per_s: number;
  /** The host thread's event-loop lag while the worker indexed (perf_hooks histogram, 10 ms timer, less the 10 ms). */
  host_lag_ms: { p50: number; p99: number; max: number };
  /** The same, over 10 s before indexing with nothing running: the machine's own share. */
  idle_lag_ms: { p50: number; p99: number; max: number };
  incremental_update_ms: number;
  /** From writing a file on disk to a search that finds the new text (update + search round trip). */
  edit_to_searchable_ms: number;
  query_ms: { p50: number; p95: number; n: number };
  rss_mb: { before: number; after_index: number; delta: number };
  on_disk_mb: number;
  save_ms: number;
  reload_ms: number;
  reload_finds_same: boolean;
}

const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const lagResolutionMs = 10;
const idleLagSeconds = 10;
/** The histogram records the timer's whole interval: the lag is what passes beyond it. */
const lagMs = (ns: number) => round1(Math.max(0, ns / 1e6 - lagResolutionMs));

export async function runScale(ws: SyntheticWorkspace, workerScript: string, storageDir: string, log: (s: string) => void): Promise<ScaleRun> {
  const storageFile = join(storageDir, 'index.json');
  const limits = { maxChars: 2 ** 31, maxFileBytes: 2 ** 20 };
  global.gc?.();
  const rssBefore = process.memoryUsage.rss();
  // The same measure with nothing indexing: what this machine's load alone costs the thread.
  const idle = monitorEventLoopDelay({ resolution: lagResolutionMs });
  idle.enable();
  await new Promise((r) => setTimeout(r, idleLagSeconds * 1000));
  idle.disable();
  const client = new IndexWorkerClient(workerScript);
  await client.call('open', { storageFile, limits });

  const lag = monitorEventLoopDelay({ resolution: lagResolutionMs });
  lag.enable();
  const t0 = performance.now();
  let lastLog = 0;
  const full = await client.call('update', { paths: ws.paths, complete: true }, {
    onProgress: (done, total) => {
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`  indexed ${done}/${total}`);
      }
    },
  });
  const fullS = (performance.now() - t0) / 1000;
  lag.disable();
  const rssAfter = process.memoryUsage.rss();

  log(`  full index: ${fullS.toFixed(1)} s, ${full.chunks} chunks; RSS ${mb(rssAfter)} MB`);
  // One edited file: a function with a name no other file has.
  const edited = ws.paths[Math.floor(ws.paths.length / 2)];
  appendFileSync(edited, '\nexport function zebraQuokkaReconcile(a: number) {\n  return a;\n}\n');
  // The mtime must move for the stamp to change on coarse-clock file systems.
  const tEdit = performance.now();
  const inc = performance.now();
  await client.call('update', { paths: [edited], complete: false });
  const incrementalMs = performance.now() - inc;
  const found = await client.call('search', { query: 'zebra quokka reconcile', limit: 1 });
  const editToSearchable = performance.now() - tEdit;
  if (found[0]?.path !== edited) throw new Error(`the edited file is not found: ${JSON.stringify(found[0])}`);

  log(`  one edited file: ${incrementalMs.toFixed(1)} ms`);
  const queries = [...ws.names.slice(0, 100).map((n) => n), ...ws.names.slice(0, 100).map((n) => n.replace(/([A-Z])/g, ' $1').toLowerCase())];
  const times: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    await client.call('search', { query: q, limit: 10 });
    times.push(performance.now() - s);
  }
  const probe = await client.call('search', { query: queries[0], limit: 5 });

  log(`  ${times.length} queries: p50 ${quantile(times, 0.5).toFixed(1)} ms`);
  const s0 = performance.now();
  const saved = await client.call('save', {});
  const saveMs = performance.now() - s0;
  log(`  saved ${mb(saved.bytes)} MB in ${saveMs.toFixed(0)} ms`);
  await client.dispose();

  const reloaded = new IndexWorkerClient(workerScript);
  const r0 = performance.now();
  const opened = await reloaded.call('open', { storageFile, limits });
  const reloadMs = performance.now() - r0;
  const again = await reloaded.call('search', { query: queries[0], limit: 5 });
  await reloaded.dispose();
  if (!opened.loaded) throw new Error('the saved index did not load');

  return {
    files: full.files,
    bytes: ws.bytes,
    chunks: full.chunks,
    partial: full.partial,
    full_index_s: round1(fullS),
    files_per_s: Math.round(full.files / fullS),
    host_lag_ms: { p50: lagMs(lag.percentile(50)), p99: lagMs(lag.percentile(99)), max: lagMs(lag.max) },
    idle_lag_ms: { p50: lagMs(idle.percentile(50)), p99: lagMs(idle.percentile(99)), max: lagMs(idle.max) },
    incremental_update_ms: round1(incrementalMs),
    edit_to_searchable_ms: round1(editToSearchable),
    query_ms: { p50: round1(quantile(times, 0.5)), p95: round1(quantile(times, 0.95)), n: times.length },
    rss_mb: { before: mb(rssBefore), after_index: mb(rssAfter), delta: mb(rssAfter - rssBefore) },
    on_disk_mb: mb(statSync(storageFile).size),
    save_ms: Math.round(saveMs),
    reload_ms: Math.round(reloadMs),
    reload_finds_same: JSON.stringify(again) === JSON.stringify(probe) && saved.bytes > 0,
  };
}
