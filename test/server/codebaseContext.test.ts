/**
 * Relevant code from other files with the team server backend (issue 15 point 5): a chunk the
 * codebase index finds goes into `/infill`'s `input_extra` (or the FIM prompt on the
 * openai-compatible route) of a real llama-server, through the same path as the embedded worker's
 * extra context (CodebaseContext → the feed scheduler → the ring → CompletionPipeline). A proxy in
 * front of the server records every request: the index itself, and its other files, never go out.
 */
import * as assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { LlamaServer } from '../../bench/llamaServer';
import { silentLog } from '../../src/common/log';
import { CodebaseContext, restMs } from '../../src/completion/codebaseContext';
import { defaultCodebaseLimits, type CodebaseSources } from '../../src/completion/codebaseLookup';
import { CompletionPipeline } from '../../src/completion/completionPipeline';
import { completionInputAt } from '../../src/completion/completionWindow';
import { ContextFeedScheduler, quietMs } from '../../src/completion/contextFeedScheduler';
import { ContextRing } from '../../src/completion/contextRing';
import type { CompletionSettings } from '../../src/config/completionSettings';
import { CodeIndex } from '../../src/index/codeIndex';
import { FakeTimers } from '../unit/fakeTimers';
import { assertServerHealthy, createBackend, freePort, serverTestModel, settingsFor, startTestServer } from './serverFixture';

const files: Record<string, string> = {
  '/ws/lib/durations.py': ['def parse_duration(text):', '    """Seconds in "90s" or "2m"."""', '    unit = text[-1]', '    value = int(text[:-1])', '    return value * 60 if unit == "m" else value', ''].join('\n'),
  '/ws/lib/unrelated.py': ['def render_banner(title):', '    return "UNRELATED_INDEXED_ONLY " + title', ''].join('\n'),
  '/ws/app/main.py': ['from lib.durations import parse_duration', '', 'def request_timeout(config):', '    seconds = parse_duration(config.timeout)', '    ', ''].join('\n'),
};
const typing = '/ws/app/main.py';
const cursorLine = 4;

const settings: CompletionSettings = { maxTokens: 8, maxLines: 4, timeBudgetMs: 0, maxPrefixTokens: 512, maxSuffixTokens: 128, maxExtraTokens: 1024, debounceMinMs: 0, debounceMaxMs: 0, speculate: false };

/** Forwards to `target`, keeping each request's path and body. */
async function recordingProxy(target: string): Promise<{ url: string; seen: { path: string; body: string }[]; close(): Promise<void> }> {
  const seen: { path: string; body: string }[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ path: req.url ?? '', body: body.toString('utf8') });
      const out = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The extension's path from the index to the ring, on a clock the test moves. */
async function ringFromIndex(): Promise<ContextRing> {
  const index = new CodeIndex({ maxChars: 1 << 20 });
  for (const [path, text] of Object.entries(files)) index.setFile(path, text, 'v1');
  const timers = new FakeTimers();
  const ring = new ContextRing();
  const scheduler = new ContextFeedScheduler<string>({ ring, documentOf: (path) => ({ path, lineCount: 0, lineAt: () => '' }), admits: () => true, lastCompletionAt: () => -Infinity, onChanged: () => undefined, timers });
  const doc = (file: string) => {
    const lines = files[file].split('\n');
    return { lineCount: lines.length, lineAt: (i: number) => lines[i] };
  };
  const sources: CodebaseSources = {
    search: async (query, limit) => index.search(query, limit).map((h) => ({ file: h.path, startLine: h.startLine, endLine: h.endLine })),
    definitions: async () => [], // no language server here: the index alone
    read: async (file) => (files[file] === undefined ? undefined : { path: file.slice('/ws/'.length), doc: doc(file) }),
  };
  const context = new CodebaseContext({ sources, limits: () => defaultCodebaseLimits, present: () => ring.list(), offer: (e) => scheduler.offer(e.path, e.startLine - 1, e.text), timers });
  context.cursorMoved(() => ({ file: typing, doc: doc(typing), line: cursorLine, window: { file: typing, startLine: 1, endLine: 6 } }));
  timers.advanceTo(restMs);
  for (let i = 0; i < 50 && scheduler.pendingCount === 0; i++) await new Promise<void>((r) => setImmediate(r));
  timers.advanceTo(restMs + quietMs);
  context.dispose();
  scheduler.dispose();
  return ring;
}

describe('codebase context with the team server (real llama-server)', function () {
  let server: LlamaServer;

  before(async function () {
    this.timeout(900_000); // a fresh machine builds llama-server first
    server = await startTestServer();
  });

  after(async () => {
    await server?.stop();
  });

  afterEach(async function () {
    if (server) await assertServerHealthy(server, this.currentTest?.title ?? '?');
  });

  for (const kind of ['llama-server', 'openai-compatible'] as const) {
    it(`${kind}: the index's chunk of another file arrives in the request, the rest of the index does not`, async () => {
      const ring = await ringFromIndex();
      assert.deepEqual(ring.list().map((c) => c.path), ['lib/durations.py'], 'the look-up found the helper through the index');
      const proxy = await recordingProxy(server.url);
      try {
        const { backend } = createBackend(settingsFor(proxy.url, kind === 'openai-compatible' ? { kind, completionModel: serverTestModel } : {}));
        const pipeline = new CompletionPipeline(backend, () => settings, ring, silentLog);
        const lines = files[typing].split('\n');
        const input = completionInputAt({ lineCount: lines.length, lineAt: (i) => lines[i] }, cursorLine, 4, { prefixLines: 64, suffixLines: 16, maxPrefixTokens: 512, maxSuffixTokens: 128 }, { filePath: 'app/main.py', repoName: 'ws' });
        await pipeline.provide(input, new AbortController().signal, true);
        const sent = proxy.seen.filter((r) => r.path === (kind === 'llama-server' ? '/infill' : '/v1/completions'));
        assert.equal(sent.length, 1, `one completion request (seen: ${proxy.seen.map((r) => r.path).join(', ')})`);
        const body = JSON.parse(sent[0].body) as { input_extra?: { filename: string; text: string }[]; prompt?: string };
        if (kind === 'llama-server') {
          assert.deepEqual(body.input_extra?.map((c) => c.filename), ['lib/durations.py']);
          assert.match(body.input_extra?.[0].text ?? '', /def parse_duration\(text\):[\s\S]*return value \* 60/);
        } else {
          assert.match(body.prompt ?? '', /def parse_duration\(text\):[\s\S]*return value \* 60[\s\S]*def request_timeout/, 'the chunk comes before the file being completed');
        }
        for (const r of proxy.seen) assert.ok(!r.body.includes('UNRELATED_INDEXED_ONLY'), `the index's other chunks stay on the machine (${r.path})`);
      } finally {
        await proxy.close();
      }
    });
  }
});
