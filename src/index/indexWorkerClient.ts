/**
 * The host's end of the index worker thread: typed calls (index/indexProtocol.ts), progress of
 * an update, cancellation by AbortSignal. No `vscode`: the extension and bench:retrieval drive
 * the same worker through it.
 */
import { Worker } from 'node:worker_threads';
import type { IndexCallKind, IndexCalls, IndexHostMessage, IndexWorkerMessage } from './indexProtocol';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

export class IndexWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;

  /** `script`: the bundled worker (dist/indexWorker.js). */
  constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: IndexWorkerMessage) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.kind === 'progress') p.onProgress?.(m.done, m.total);
      else {
        this.pending.delete(m.id);
        if (m.kind === 'result') p.resolve(m.result);
        else p.reject(new Error(m.message));
      }
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => this.failAll(new Error(`index worker exited (${code})`)));
  }

  call<K extends IndexCallKind>(kind: K, params: IndexCalls[K]['params'], options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<IndexCalls[K]['result']> {
    if (this.disposed) return Promise.reject(new Error('index worker disposed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
      this.post({ id, kind, params } as IndexHostMessage);
      // The worker stops at the next file and answers with what it did (`cancelled: true`).
      options.signal?.addEventListener('abort', () => this.post({ kind: 'cancel', id }), { once: true });
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.worker.terminate();
  }

  private post(m: IndexHostMessage): void {
    if (!this.disposed) this.worker.postMessage(m);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
