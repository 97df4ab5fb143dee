/**
 * The real download code (node-llama-cpp's downloader, real files) against a local HTTP server
 * on 127.0.0.1 that serves a generated test model with Range support, and misbehaves on request.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../src/common/errors';
import { DownloadError } from '../../src/models/downloadError';
import { downloadModel, partialFolderName, sha256File, type DownloadProgress, type DownloadRequest } from '../../src/models/downloadModel';
import { TEST_MODELS, ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime } from './runtimeFixture';

interface Served {
  method: string;
  range?: string;
  bytes: number;
}

/** Serves `body` at any path; `dropOnce` cuts the first GET after that many bytes. */
class ModelServer {
  body: Buffer = Buffer.alloc(0);
  dropOnce: number | undefined;
  readonly log: Served[] = [];
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const entry: Served = { method: req.method ?? '', range: req.headers.range, bytes: 0 };
      this.log.push(entry);
      let start = 0;
      let end = this.body.length - 1;
      const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (m) {
        start = Number(m[1]);
        if (m[2]) end = Math.min(end, Number(m[2]));
        res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${this.body.length}`, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' });
      } else {
        res.writeHead(200, { 'Content-Length': this.body.length, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' });
      }
      if (req.method === 'HEAD') return void res.end();
      const drop = this.dropOnce;
      if (drop !== undefined) this.dropOnce = undefined;
      // Paced in 256 KiB pieces so a test can cancel mid-file.
      let at = start;
      const pump = () => {
        if (res.destroyed) return;
        if (drop !== undefined && entry.bytes >= drop) return void res.socket?.destroy();
        if (at > end) return void res.end();
        const piece = this.body.subarray(at, Math.min(end + 1, at + 256 * 1024));
        at += piece.length;
        entry.bytes += piece.length;
        res.write(piece, () => setTimeout(pump, 2));
      };
      pump();
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  served(method: string): Served[] {
    return this.log.filter((e) => e.method === method);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('engine: model download (node-llama-cpp downloader, local HTTP server)', function () {
  this.timeout(120_000);
  const server = new ModelServer();
  let model: Buffer;
  let modelSha: string;
  let folder: string;
  const uri = 'hf:sovereign-test/Fim-Qwen2-GGUF/fim-qwen2.gguf';

  before(async () => {
    await ensureTestModels();
    model = readFileSync(testModelPath('fim-qwen2'));
    modelSha = TEST_MODELS.find((m) => m.name === 'fim-qwen2')!.sha256;
    await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'sovereign-dl-'));
    server.body = model;
    server.dropOnce = undefined;
    server.log.length = 0;
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const request = (over: Partial<DownloadRequest> = {}): DownloadRequest => ({
    uri,
    fileName: 'fim-qwen2.gguf',
    folder,
    huggingFaceEndpoint: server.endpoint,
    freeBytes: async () => 100 * 1024 ** 3,
    ...over,
  });

  it('downloads an hf: URI with progress events, then moves the file into the folder', async () => {
    const progress: DownloadProgress[] = [];
    const path = await downloadModel(request({ sha256: modelSha, onProgress: (p) => progress.push(p) }));
    assert.equal(path, join(folder, 'fim-qwen2.gguf'));
    assert.equal(await sha256File(path), modelSha);
    assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
    assert.ok(progress.every((p) => p.totalBytes === model.length));
    assert.ok(progress.some((p) => p.downloadedBytes > 0 && p.downloadedBytes < model.length), 'progress between 0 and the end');
    assert.equal(progress.at(-1)!.downloadedBytes, model.length);
    assert.deepEqual(readdirSync(join(folder, partialFolderName)), [], 'nothing left in .partial');
    assert.ok(server.served('GET').every((e) => e.range === undefined || /^bytes=/.test(e.range)));
  });

  it('cancel stops it (CancelledError, no model file); the next download resumes from where it stopped', async () => {
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      downloadModel(request({
        signal: controller.signal,
        onProgress: (p) => {
          seen = p.downloadedBytes;
          if (p.downloadedBytes > 11 * 1024 * 1024) controller.abort();
        },
      })),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.ok(seen < model.length, 'cancelled before the end');
    assert.ok(!existsSync(join(folder, 'fim-qwen2.gguf')), 'no half file where models are listed');
    assert.ok(readdirSync(join(folder, partialFolderName)).some((f) => f.endsWith('.ipull')), 'the partial file is kept for resuming');

    server.log.length = 0;
    const path = await downloadModel(request({ sha256: modelSha }));
    assert.equal(await sha256File(path), modelSha);
    const resumed = server.served('GET');
    const ranges = resumed.flatMap((e) => {
      const m = /^bytes=(\d+)-(\d*)$/.exec(e.range ?? '');
      return m ? [[Number(m[1]), m[2] ? Number(m[2]) : model.length - 1] as const] : [];
    });
    assert.ok(ranges.length > 0, 'ranged requests');
    // ipull's first GET without a range only reads the headers; the data comes in ranges.
    const covered = new Set<number>();
    for (const [a, b] of ranges) for (let chunk = Math.floor(a / 65536); chunk <= Math.floor(b / 65536); chunk++) covered.add(chunk);
    assert.ok(covered.size < Math.ceil(model.length / 65536), `the resumed download skipped what it had: ${JSON.stringify(resumed)}`);
  });

  it('the server dropping the connection mid-file: the download resumes with a Range request and completes', async () => {
    server.dropOnce = 7 * 1024 * 1024;
    const path = await downloadModel(request({ sha256: modelSha }));
    assert.equal(await sha256File(path), modelSha);
    const gets = server.served('GET');
    assert.ok(gets.length >= 2, `retried: ${JSON.stringify(gets)}`);
    assert.ok(gets.slice(1).some((e) => /^bytes=[1-9]/.test(e.range ?? '')), `resumed past 0: ${JSON.stringify(gets)}`);
  });

  it('a corrupted body is rejected by its checksum and removed', async () => {
    const bad = Buffer.from(model);
    bad[bad.length - 1000] ^= 0xff;
    server.body = bad;
    await assert.rejects(downloadModel(request({ sha256: modelSha })), (e: unknown) => {
      assert.ok(e instanceof DownloadError);
      assert.equal(e.reason, 'corrupt');
      assert.match(e.message, /fim-qwen2\.gguf is damaged: its checksum .* It was removed/);
      return true;
    });
    assert.ok(!existsSync(join(folder, 'fim-qwen2.gguf')));
    assert.ok(!existsSync(join(folder, partialFolderName, 'fim-qwen2.gguf')));
  });

  it('a truncated GGUF (no checksum known) is rejected by the worker\'s GGUF checks and removed', async () => {
    server.body = model.subarray(0, 12_000_000);
    const runtime = createRuntime({});
    try {
      const verify = async (path: string) => {
        const r = await runtime.inspectModel({ path, role: 'completion', contextSize: 2048, gpu: 'off' });
        if (r.problem) throw new Error(r.problem.message);
      };
      await assert.rejects(downloadModel(request({ verify })), (e: unknown) => {
        assert.ok(e instanceof DownloadError);
        assert.equal(e.reason, 'corrupt');
        assert.match(e.message, /fim-qwen2\.gguf is incomplete.*removed/);
        return true;
      });
    } finally {
      await runtime.shutdown();
    }
    assert.ok(!existsSync(join(folder, 'fim-qwen2.gguf')));
    assert.ok(!existsSync(join(folder, partialFolderName, 'fim-qwen2.gguf')));
  });

  it('a full disk is reported before the download starts (only the HEAD request is made)', async () => {
    await assert.rejects(downloadModel(request({ freeBytes: async () => 5 * 1024 * 1024 })), (e: unknown) => {
      assert.ok(e instanceof DownloadError);
      assert.equal(e.reason, 'diskFull');
      assert.match(e.message, /Not enough disk space for fim-qwen2\.gguf: it needs 2\d MB more, but .* has 5 MB free/);
      return true;
    });
    assert.deepEqual(server.log.map((e) => e.method), ['HEAD']);
  });

  it('offline: refused with the reason, and no request is made at all', async () => {
    await assert.rejects(downloadModel(request({ offline: true })), (e: unknown) => e instanceof DownloadError && e.reason === 'offline' && /sovereign\.offline/.test(e.message));
    assert.equal(server.log.length, 0);
  });

  it('no network: a clear error in seconds that offers the local file instead', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const started = Date.now();
    await assert.rejects(downloadModel(request({ uri: `http://127.0.0.1:${port}/m.gguf` })), (e: unknown) => {
      assert.ok(e instanceof DownloadError);
      assert.equal(e.reason, 'noNetwork');
      assert.match(e.message, /^No network: 127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)\. Choose a local GGUF file instead\.$/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });
});
