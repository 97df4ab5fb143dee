import * as assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client';
import { SovereignError } from '../../src/common/errors';
import { createRuntime, storiesModel } from './runtimeFixture';

describe('engine: chat with a real-weights model (stories260K)', function () {
  let runtime: RuntimeClient;
  before(() => {
    runtime = createRuntime({ chat: storiesModel });
  });
  after(() => runtime.shutdown());

  it('streams the answer in chunks that add up to the whole answer', async () => {
    const chunks: string[] = [];
    const result = await runtime.chat([{ role: 'user', content: 'Tell me a story about a cat.' }], {
      maxTokens: 40,
      onText: (t) => chunks.push(t),
    });
    assert.ok(chunks.length > 3, `expected streaming, got ${chunks.length} chunk(s)`);
    assert.equal(chunks.join(''), result.text);
    assert.match(result.text, /[a-z]{3,}/i, 'real weights write words');
    assert.equal(result.stopped, false);
    assert.ok(result.stats.generatedTokens > 0 && result.stats.generatedTokens <= 40);
  });

  it('an answer that reaches maxTokens says it was cut, and a conversation ending with it continues it', async () => {
    const question = { role: 'user' as const, content: 'Tell me a story about a dog.' };
    const first = await runtime.chat([question], { maxTokens: 12, onText: () => undefined });
    assert.equal(first.cut, true, `cut at 12 tokens: "${first.text}"`);
    const chunks: string[] = [];
    const more = await runtime.chat([question, { role: 'assistant', content: first.text }], { maxTokens: 12, onText: (t) => chunks.push(t) });
    assert.match(more.text, /[a-z]{2,}/i, 'it writes on');
    assert.equal(chunks.join(''), more.text, 'only the new text streams');
    assert.ok(!more.text.startsWith(first.text.trim()), `the answer so far is not written again: "${first.text}" then "${more.text}"`);
    const ended = await runtime.chat([question], { maxTokens: 400, onText: () => undefined });
    assert.equal(ended.cut, ended.stats.generatedTokens >= 400, 'not cut when the model ended it');
  });

  it('stop keeps the partial answer and ends generation early', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const result = await runtime.chat([{ role: 'user', content: 'Tell me a long story.' }], {
      maxTokens: 400,
      signal: controller.signal,
      onText: () => {
        if (++chunks === 5) controller.abort();
      },
    }).catch((e: unknown) => e);
    if (result instanceof SovereignError) {
      assert.equal(result.kind, 'cancelled');
    } else {
      assert.ok(!(result instanceof Error), String(result));
      assert.equal((result as { stopped: boolean }).stopped, true);
    }
    assert.ok(chunks < 50, `generation went on after stop: ${chunks} chunks`);
  });
});
