/**
 * The `openai-compatible` backend against the same real llama-server, used only through its
 * OpenAI-compatible routes: /v1/completions with the Qwen FIM template, streamed
 * /v1/chat/completions, the model list for the context size, estimated token counts.
 */
import * as assert from 'node:assert/strict';
import type { LlamaServer } from '../../bench/llamaServer';
import { SovereignError } from '../../src/common/errors';
import { estimateTokens } from '../../src/common/charsPerToken';
import { waitFor } from '../engine/runtimeFixture';
import { assertServerHealthy, completionParams, createBackend, failure, ownConnection, serverContext, serverTestModel, settingsFor, slotIdle, startTestServer } from './serverFixture';

describe('openai-compatible backend (real llama-server, /v1 routes)', function () {
  let server: LlamaServer;
  const openAi = (url: string) => settingsFor(url, { kind: 'openai-compatible', completionModel: serverTestModel, chatModel: '' });

  before(async function () {
    this.timeout(900_000);
    server = await startTestServer();
  });

  after(async () => {
    await server?.stop();
  });

  // An aborted request must leave the server serving the next test (see llamaServerBackend.test.ts).
  afterEach(async function () {
    if (server) await assertServerHealthy(server, this.currentTest?.title ?? '?');
  });

  it('completes through /v1/completions with the Qwen FIM template', async () => {
    const { backend } = createBackend(openAi(server.url));
    const r = await backend.complete(completionParams('def add(a, b):\n    return ', '\n', 8));
    assert.ok(r.text.length > 0);
    assert.equal(r.stats.generatedTokens, 8);
    assert.equal(r.stats.stop, 'maxTokens');
    assert.ok(r.stats.evaluatedTokens + r.stats.reusedTokens > 5);
    // The same prompt written out by hand: greedy decoding gives the same text only if ours was it.
    // The cursor's line, typed since the hole opened there, goes after the middle token.
    const res = await ownConnection(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: '<|fim_prefix|>def add(a, b):\n<|fim_suffix|>\n<|fim_middle|>    return ', max_tokens: 8, temperature: 0 }),
    });
    const direct = JSON.parse(res.text) as { choices: { text: string }[] };
    assert.equal(r.text, direct.choices[0].text);
  });

  it('a keystroke has the server evaluate what was typed, not the suffix again (the typed middle)', async function () {
    this.timeout(120_000);
    const { backend } = createBackend(openAi(server.url));
    const suffix = Array.from({ length: 30 }, (_, i) => `    total += item_${i} * weight_${i}\n`).join('');
    const typing = 'def score(items):\n    total = sum(item for item in ite';
    const first = await backend.complete(completionParams(typing, suffix, 4));
    const evaluated: number[] = [];
    for (const more of ['m', 'ms', 'ms)']) evaluated.push((await backend.complete(completionParams(typing + more, suffix, 4))).stats.evaluatedTokens);
    const prompt = first.stats.evaluatedTokens + first.stats.reusedTokens;
    assert.ok(prompt > 250, `the suffix makes a long prompt: ${prompt} tokens`);
    // Without the typed middle each keystroke changes the prefix's end, before the suffix (its 256-token budget).
    assert.ok(Math.max(...evaluated) < 20, `tokens evaluated per keystroke: ${evaluated.join(', ')} (prompt ${prompt})`);
  });

  it('skips warm-ups (a generic server has no KV cache to warm)', async () => {
    const { backend } = createBackend(settingsFor('http://127.0.0.1:9', { kind: 'openai-compatible' }));
    const r = await backend.complete(completionParams('a', 'b', 0));
    assert.equal(r.stats.stop, 'warmup');
  });

  it('aborting a completion stops the server', async function () {
    this.timeout(60_000);
    const { backend } = createBackend(openAi(server.url));
    const controller = new AbortController();
    const long = backend.complete(completionParams('def f():\n    ', '', 3000), controller.signal);
    await waitFor(async () => !(await slotIdle(server.url)), 10_000, 'the server to start generating');
    controller.abort();
    assert.equal(((await failure(long)).error as SovereignError).kind, 'cancelled');
    await waitFor(() => slotIdle(server.url), 5_000, 'the slot to stop generating after the abort');
  });

  it('streams chat and reads the context size from /v1/models', async () => {
    const { backend } = createBackend(openAi(server.url));
    const model = await backend.load();
    assert.equal(model.contextSize, serverContext);
    const chunks: string[] = [];
    const result = await backend.chat([{ role: 'user', content: 'hello' }], { maxTokens: 12, onText: (t) => chunks.push(t) });
    assert.ok(chunks.length >= 2);
    assert.equal(result.text, chunks.join(''));
    assert.equal(result.stats.generatedTokens, 12);
  });

  it('estimates token counts (4 characters a token) without asking the server', async () => {
    const { backend } = createBackend(openAi(server.url));
    assert.deepEqual(await backend.countTokens(['hello world', '']), [estimateTokens('hello world'), 0]);
    assert.equal(await backend.chatPromptTokens([{ role: 'user', content: 'x'.repeat(40) }]), 3 + 4 + 10);
  });

  it('a wrong API key is a clear auth error here too', async () => {
    const { backend } = createBackend(openAi(server.url), 'nope');
    const e = (await failure(backend.complete(completionParams('a', 'b', 2)))).error as SovereignError;
    assert.equal(e.kind, 'serverAuth');
  });
});
