import * as assert from 'node:assert/strict';
import { CancelledError } from '../../src/common/errors';
import type { EmbeddingCounts } from '../../src/runtime/protocol';
import { Embedder } from '../../src/runtime/worker/embedder';
import { PriorityGate } from '../../src/runtime/worker/priorityGate';

const tick = () => new Promise((r) => setImmediate(r));

/** An embedding context whose evaluations the test finishes one by one. */
function fakeContext() {
  const texts: string[] = [];
  const calls: { text: string; finish: () => void }[] = [];
  const context = {
    model: {
      embeddingVectorSize: 2,
      tokenize: (text: string) => {
        texts.push(text);
        return text.length === 0 ? [] : [texts.length - 1];
      },
    },
    getEmbeddingFor: (tokens: number[]) =>
      new Promise<{ vector: number[] }>((resolve) => calls.push({ text: texts[tokens[0]], finish: () => resolve({ vector: [3, 4] }) })),
  };
  return { context, calls };
}

function embedder(gate = new PriorityGate()) {
  const fake = fakeContext();
  const counts: EmbeddingCounts = { texts: 0 };
  const e = new Embedder(fake.context as unknown as ConstructorParameters<typeof Embedder>[0], gate, counts, 512);
  return { e, calls: fake.calls, counts, gate };
}

describe('Embedder (the worker’s embedding role)', () => {
  it('a query that comes during a pass waits for the text being embedded, not for the rest of the batch', async () => {
    const { e, calls } = embedder();
    const pass = e.embed(['p1', 'p2', 'p3'], new AbortController().signal);
    await tick();
    assert.deepEqual(calls.map((c) => c.text), ['p1']);
    let answered = false;
    const query = e.embed(['q'], new AbortController().signal).then((r) => ((answered = true), r));
    calls[0].finish();
    await tick();
    assert.deepEqual(calls.map((c) => c.text), ['p1', 'q'], 'the query goes next');
    calls[1].finish();
    const r = await query;
    assert.equal(answered, true);
    assert.deepEqual(r.vectors, [[0.6, 0.8]], 'unit length');
    await tick();
    calls[2].finish();
    await tick();
    calls[3].finish();
    assert.deepEqual((await pass).vectors.length, 3);
    assert.deepEqual(calls.map((c) => c.text), ['p1', 'q', 'p2', 'p3']);
  });

  it('waits between texts while a completion holds the gate, and the completion waits only for the text running', async () => {
    const { e, calls, gate } = embedder();
    const pass = e.embed(['p1', 'p2'], new AbortController().signal);
    await tick();
    const release = gate.hold();
    let idle = false;
    void gate.whenIdle().then(() => (idle = true));
    await tick();
    assert.equal(idle, false, 'the text being embedded finishes first');
    calls[0].finish();
    await tick();
    assert.equal(idle, true);
    await tick();
    assert.equal(calls.length, 1, 'no next text while the completion runs');
    release();
    await tick();
    assert.equal(calls.length, 2);
    calls[1].finish();
    assert.equal((await pass).vectors.length, 2);
  });

  it('a stop ends the request before its next text; an empty text gets an empty vector', async () => {
    const { e, calls, counts } = embedder();
    const controller = new AbortController();
    const pass = e.embed(['p1', '', 'p3'], controller.signal);
    await tick();
    controller.abort();
    calls[0].finish();
    await assert.rejects(pass, CancelledError);
    assert.equal(calls.length, 1);
    assert.equal(counts.texts, 1);
    const empty = await e.embed([''], new AbortController().signal);
    assert.deepEqual(empty.vectors, [[]]);
  });
});
