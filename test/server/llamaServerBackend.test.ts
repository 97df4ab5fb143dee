/**
 * The `llama-server` backend against a real llama-server (built from node-llama-cpp's bundled
 * llama.cpp, started here on 127.0.0.1): /infill completion through the same CompletionPipeline and
 * post-processing as the embedded worker, streamed chat, exact token counts, the API key,
 * cancellation reaching the server, and down / slow / erroring servers each giving one typed error
 * within a bound.
 */
import * as assert from 'node:assert/strict';
import type { LlamaServer } from '../../bench/llamaServer';
import { SovereignError } from '../../src/common/errors';
import { silentLog } from '../../src/common/log';
import { CompletionPipeline, type CompletionInput } from '../../src/completion/completionPipeline';
import type { CompletionSettings } from '../../src/config/completionSettings';
import { postprocess } from '../../src/completion/postprocess';
import { waitFor } from '../engine/runtimeFixture';
import { apiKey, assertServerHealthy, completionParams, createBackend, failure, freePort, serverContext, settingsFor, slotIdle, startTestServer } from './serverFixture';

const engineSettings: CompletionSettings = {
  maxTokens: 24,
  maxLines: 16,
  timeBudgetMs: 0,
  maxPrefixTokens: 1024,
  maxSuffixTokens: 256,
  maxExtraTokens: 512,
  debounceMinMs: 0,
  debounceMaxMs: 0,
  speculate: false,
};

function kindOf(e: unknown): string {
  return e instanceof SovereignError ? e.kind : `not a SovereignError: ${String(e)}`;
}

describe('llama-server backend (real llama-server, /infill)', function () {
  let server: LlamaServer;

  before(async function () {
    this.timeout(900_000); // a fresh machine builds llama-server first (minutes on 2 cores)
    server = await startTestServer();
  });

  after(async () => {
    await server?.stop();
  });

  // A test that aborts, stops or errors must leave the shared server serving the next test; if it
  // does not, the damage is reported here, after the test that did it, with the server's log.
  afterEach(async function () {
    if (server) await assertServerHealthy(server, this.currentTest?.title ?? '?');
  });

  it('returns generated text and maps the server timings to CompletionStats', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const params = { ...completionParams('def add(a, b):\n    return ', '\n\nprint(add(1, 2))\n', 12), extra: [{ path: 'util.py', text: 'def sub(a, b):\n    return a - b\n' }] };
    const first = await backend.complete(params);
    assert.ok(first.text.length > 0, 'the random-weight model always generates something');
    assert.ok(first.stats.evaluatedTokens > 0);
    assert.equal(first.stats.generatedTokens, 12);
    assert.equal(first.stats.stop, 'maxTokens');
    const again = await backend.complete(params);
    assert.equal(again.text, first.text, 'greedy decoding: the same context gives the same text');
    assert.ok(again.stats.reusedTokens > 0, `cache_prompt keeps the KV state (reused ${again.stats.reusedTokens})`);
    assert.equal(backend.currentState.kind, 'ready');
  });

  it('goes through the same CompletionPipeline post-processing as the embedded worker', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const engine = new CompletionPipeline(backend, () => engineSettings, undefined, silentLog);
    const input: CompletionInput = { prefix: 'x = 1\ny = ', suffix: '\n', linePrefix: 'y = ', lineSuffix: '', linesBelow: [''] };
    const suggestion = await engine.provide(input, new AbortController().signal, true);
    // The same request straight to the backend gives the raw text the engine post-processed.
    const raw = await backend.complete({ prefix: input.prefix, suffix: input.suffix, extra: [], maxTokens: 24, maxPrefixTokens: 1024, maxSuffixTokens: 256, maxExtraTokens: 512, timeBudgetMs: 0, indent: 0, singleLine: false });
    const expected = postprocess(raw.text, { linePrefix: input.linePrefix, lineSuffix: '', linesBelow: input.linesBelow, maxLines: 16 });
    assert.ok(expected, `the raw text survives post-processing: ${JSON.stringify(raw.text)}`);
    assert.equal(suggestion?.text, expected);
    assert.equal(suggestion?.source, 'model');
    assert.equal(suggestion?.stats?.generatedTokens, raw.stats.generatedTokens);
  });

  it('a single-line request stops at the line break', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const r = await backend.complete({ ...completionParams('a = [', '] + b\n', 64), singleLine: true });
    assert.ok(!r.text.includes('\n'), JSON.stringify(r.text));
  });

  it('a warm-up (maxTokens 0) evaluates the prompt and shows nothing', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const r = await backend.complete(completionParams('import os\n', '', 0));
    assert.equal(r.text, '');
    assert.equal(r.stats.stop, 'warmup');
  });

  it('aborting a request aborts the HTTP request: the server stops generating and serves the next one', async function () {
    this.timeout(60_000);
    const { backend } = createBackend(settingsFor(server.url));
    const controller = new AbortController();
    // 3,000 tokens run for seconds on this machine; the random model never ends on its own.
    const long = backend.complete(completionParams('def f():\n    ', '', 3000), controller.signal);
    // The 25 ms polling of /slots is other traffic, as on a shared server: it kept a NON-streamed
    // request from noticing the closed connection (its 1 s wait restarts on any result), which is
    // why completions are streamed. This test failed before that change.
    await waitFor(async () => !(await slotIdle(server.url)), 10_000, 'the server to start generating');
    controller.abort();
    const aborted = await failure(long);
    assert.equal(kindOf(aborted.error), 'cancelled');
    assert.ok(aborted.ms < 10_000);
    const started = performance.now();
    await waitFor(() => slotIdle(server.url), 5_000, 'the slot to stop generating after the abort');
    const next = await backend.complete(completionParams('x = ', '\n', 4));
    console.log(`      slot idle + next request served ${Math.round(performance.now() - started)} ms after the abort`);
    assert.equal(next.stats.generatedTokens, 4);
  });

  it('streams chat chunks from /v1/chat/completions', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const model = await backend.load();
    assert.equal(model.contextSize, serverContext, 'the context size comes from /props');
    const chunks: string[] = [];
    const result = await backend.chat([{ role: 'user', content: 'Say hello.' }], { maxTokens: 16, onText: (t) => chunks.push(t) });
    assert.ok(chunks.length >= 2, `streamed in ${chunks.length} chunks`);
    assert.equal(result.text, chunks.join(''));
    assert.equal(result.stats.generatedTokens, 16);
    assert.ok(result.stats.promptTokens > 0);
    assert.equal(backend.loadedModel()?.contextSize, serverContext);
  });

  it('stopping a chat aborts the stream and the server', async function () {
    this.timeout(60_000);
    const { backend } = createBackend(settingsFor(server.url));
    const controller = new AbortController();
    const chunks: string[] = [];
    const answer = backend.chat([{ role: 'user', content: 'Write a long story.' }], {
      maxTokens: 3000,
      signal: controller.signal,
      onText: (t) => {
        chunks.push(t);
        if (chunks.length === 3) controller.abort();
      },
    });
    assert.equal(kindOf((await failure(answer)).error), 'cancelled');
    await waitFor(() => slotIdle(server.url), 5_000, 'the slot to stop generating after the stop');
    assert.ok(chunks.length >= 3 && chunks.length < 3000);
  });

  it('counts tokens exactly with /tokenize and /apply-template', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const [hello, code] = await backend.countTokens(['hello world', 'def add(a, b):\n    return a + b\n']);
    assert.equal(hello, 2, 'Qwen2 BPE: "hello" " world"');
    assert.ok(code > 5);
    const messages = [{ role: 'user' as const, content: 'hello world' }];
    const prompt = await backend.chatPromptTokens(messages);
    assert.ok(prompt > hello + 4, `the ChatML template adds its tokens (${prompt})`);
  });

  it('sends the API key as a bearer token; a wrong or missing key is a clear auth error', async () => {
    const { backend, key } = createBackend(settingsFor(server.url), 'wrong-key');
    const wrong = await failure(backend.complete(completionParams('a', 'b', 2)));
    assert.equal(kindOf(wrong.error), 'serverAuth');
    assert.match((wrong.error as Error).message, /HTTP 401.*Set Server API Key/s);
    assert.equal(backend.currentState.kind, 'error');
    key.value = undefined;
    const missing = await failure(backend.complete(completionParams('a', 'b', 2)));
    assert.equal(kindOf(missing.error), 'serverAuth');
    assert.match((missing.error as Error).message, /wants an API key/);
    key.value = apiKey;
    const ok = await backend.complete(completionParams('a', 'b', 2));
    assert.equal(ok.stats.generatedTokens, 2);
    assert.equal(backend.currentState.kind, 'ready');
  });

  it('a server that is down: connection refused, at once', async () => {
    const { backend } = createBackend(settingsFor(`http://127.0.0.1:${await freePort()}`));
    const down = await failure(backend.complete(completionParams('a', 'b', 2)));
    assert.equal(kindOf(down.error), 'serverUnreachable');
    assert.match((down.error as Error).message, /connection refused/);
    assert.ok(down.ms < 5_000, `${down.ms} ms`);
    const chat = await failure(backend.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4, onText: () => undefined }));
    assert.equal(kindOf(chat.error), 'serverUnreachable');
  });

  it('HTTP errors from the real server: a prompt over the context (400) and a wrong path (404)', async () => {
    const { backend } = createBackend(settingsFor(server.url));
    const tooLong = await failure(backend.chat([{ role: 'user', content: 'word '.repeat(serverContext * 2) }], { maxTokens: 8, onText: () => undefined }));
    assert.equal(kindOf(tooLong.error), 'serverError');
    assert.match((tooLong.error as Error).message, /HTTP 400.*context/is);
    const wrongPath = createBackend(settingsFor(`${server.url}/not-here`)).backend;
    const missing = await failure(wrongPath.complete(completionParams('a', 'b', 2)));
    assert.equal(kindOf(missing.error), 'serverError');
    assert.match((missing.error as Error).message, /HTTP 404.*sovereign\.backend/s);
  });

  it('refuses a public host (and any server with sovereign.offline on) before any request, and says which setting allows it', async () => {
    // Observes fetch (the real one stays in place for every other URL): a refused URL must never reach it.
    const realFetch = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const offline = createBackend(settingsFor(server.url, { offline: true })).backend;
      const refusedOffline = await failure(offline.complete(completionParams('secret code', '', 4)));
      assert.equal(kindOf(refusedOffline.error), 'hostNotAllowed');
      assert.match((refusedOffline.error as Error).message, /sovereign\.offline/);
      const { backend } = createBackend(settingsFor('https://code-models.example.com'));
      assert.equal(backend.currentState.kind, 'error', 'the status says why before anything is tried');
      const refused = await failure(backend.complete(completionParams('secret code', '', 4)));
      assert.equal(kindOf(refused.error), 'hostNotAllowed');
      assert.match((refused.error as Error).message, /sovereign\.server\.allowedHosts/);
      const chat = await failure(backend.chat([{ role: 'user', content: 'secret' }], { maxTokens: 4, onText: () => undefined }));
      assert.equal(kindOf(chat.error), 'hostNotAllowed');
      assert.deepEqual(seen, []);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  // SIGSTOP leaves llama-server with requests it accepted while stopped and whose clients have gone:
  // each of these tests gets a server of its own, so no other test depends on how it recovers.
  describe('a server that hangs (SIGSTOP): each test on its own llama-server', function () {
    let own: LlamaServer;

    beforeEach(async function () {
      this.timeout(120_000);
      own = await startTestServer();
    });

    afterEach(async function () {
      this.timeout(30_000);
      if (!own.exitStatus()) process.kill(own.pid, 'SIGCONT'); // a failed test may leave it stopped
      await own.stop();
    });

    it('a server that hangs (SIGSTOP): completion and chat time out with a clear error, then recover (SIGCONT)', async function () {
      this.timeout(60_000);
      const { backend } = createBackend(settingsFor(own.url), apiKey, { completionMs: 1_500, chatFirstByteMs: 1_500, infoMs: 1_500 });
      await backend.load();
      process.kill(own.pid, 'SIGSTOP');
      try {
        const slow = await failure(backend.complete(completionParams('a = ', '\n', 4)));
        assert.equal(kindOf(slow.error), 'serverTimeout');
        assert.match((slow.error as Error).message, /did not answer within 1\.5 s/);
        assert.ok(slow.ms < 6_000, `bounded by the timeout (${Math.round(slow.ms)} ms)`);
        const chat = await failure(backend.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4, onText: () => undefined }));
        assert.equal(kindOf(chat.error), 'serverTimeout');
        assert.equal(backend.currentState.kind, 'error');
      } finally {
        process.kill(own.pid, 'SIGCONT');
      }
      await waitFor(() => slotIdle(own.url), 10_000, 'the server to finish what it had queued');
      const back = await backend.complete(completionParams('a = ', '\n', 4));
      assert.equal(back.stats.generatedTokens, 4);
    });

    it('a chat that stalls mid-stream (SIGSTOP after the first chunk) times out between chunks', async function () {
      this.timeout(60_000);
      const { backend } = createBackend(settingsFor(own.url), apiKey, { chatIdleMs: 1_500 });
      const chunks: string[] = [];
      let stopped = false;
      const answer = backend.chat([{ role: 'user', content: 'Write a long story.' }], {
        maxTokens: 3000,
        onText: (t) => {
          chunks.push(t);
          if (!stopped) {
            stopped = true;
            process.kill(own.pid, 'SIGSTOP');
          }
        },
      });
      try {
        const stalled = await failure(answer);
        assert.equal(kindOf(stalled.error), 'serverTimeout');
        assert.ok(stalled.ms < 20_000);
      } finally {
        process.kill(own.pid, 'SIGCONT');
      }
      await waitFor(() => slotIdle(own.url), 10_000, 'the slot to stop after the closed stream');
    });
  });
});
