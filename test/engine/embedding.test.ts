import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { testModelPath } from '../../scripts/models/testModels';
import { SovereignError } from '../../src/common/errors';
import type { RuntimeClient } from '../../src/runtime/client';
import { createRuntime, fimParams, waitFor } from './runtimeFixture';

/**
 * The embedding role on real GGUFs: fim-deepseek (llama architecture, deepseek-coder's real
 * tokenizer, random weights, 32 hidden) embeds — node-llama-cpp gives any generative model's last
 * token state — and fim-qwen2 completes next to it. Random weights: the vectors mean nothing, but
 * their size, determinism and the scheduling are real.
 */
const embeddingModel = testModelPath('fim-deepseek');
const completionModel = testModelPath('fim-qwen2');

const code = (i: number) => `export function handler${i}(request, response) {\n  const value = request.params.id * ${i};\n  return response.send({ value, ok: true });\n}\n`;

describe('engine: embeddings (fim-deepseek) below completion (fim-qwen2)', function () {
  for (const m of [embeddingModel, completionModel]) if (!existsSync(m)) throw new Error(`${m} is missing: run npx tsx scripts/models/make.ts`);
  let runtime: RuntimeClient;
  before(() => {
    runtime = createRuntime({ embedding: embeddingModel, completion: completionModel }, { contextSize: 256 });
  });
  after(() => runtime?.shutdown());
  /** Texts the worker has embedded since it started (0 before it starts). */
  const embedded = async () => (await runtime.status())?.embeddings.texts ?? 0;

  it('embeds texts into unit vectors of the model’s size, the same vector for the same text', async () => {
    const texts = [code(1), code(2), '', code(1)];
    const first = await runtime.embed(texts);
    assert.equal(first.dimensions, 32, 'fim-deepseek has 32 hidden units');
    assert.deepEqual(first.vectors.map((v) => v.length), [32, 32, 0, 32], 'an empty text has nothing to embed');
    for (const v of [first.vectors[0], first.vectors[1]]) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-6, 'unit length');
    assert.deepEqual(first.vectors[3], first.vectors[0], 'same text, same vector within a request');
    assert.notDeepEqual(first.vectors[1], first.vectors[0]);
    const again = await runtime.embed([code(2)]);
    assert.deepEqual(again.vectors[0], first.vectors[1], 'and across requests');
    assert.equal(first.truncated, 0);
    const info = runtime.loadedModel('embedding');
    assert.equal(info?.contextSize, 256);
  });

  it('cuts a text longer than the embedding context to its start', async () => {
    const long = code(3).repeat(40);
    const r = await runtime.embed([long, long.slice(0, 3000)]);
    assert.equal(r.truncated, 2);
    assert.deepEqual(r.vectors[1], r.vectors[0], 'both are their first 254 tokens');
  });

  it('a completion during a long embedding pass waits for at most the text being embedded, and the pass goes on unchanged', async () => {
    const texts = Array.from({ length: 48 }, (_, i) => code(100 + i));
    await runtime.load('completion'); // loading is not a completion: it does not hold the gate
    const alone = await runtime.embed(texts.slice(0, 6));
    const base = await embedded();
    const pass = runtime.embed(texts);
    await waitFor(async () => await embedded() >= base + 2, 60_000, 'the pass to start');
    // Texts embedded between the asking and the answer of each completion: the one running when it
    // came, plus at most one on each side of it while the status requests travel.
    const during: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = await embedded();
      const done = await runtime.complete(fimParams(`def f${i}(x):\n    return `, '', 24));
      const after = await embedded();
      assert.equal(done.stats.generatedTokens > 0, true);
      during.push(after - before);
    }
    const result = await pass;
    const embeddedAll = await embedded() - base;
    assert.ok(during.every((n) => n <= 3), `texts embedded during each completion: ${during.join(', ')} (of ${embeddedAll})`);
    assert.equal(result.vectors.length, texts.length);
    assert.deepEqual(result.vectors.slice(0, 6), alone.vectors, 'the vectors do not depend on the interruptions');
  });

  it('a stop ends the pass at the next text', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => code(1000 + i));
    const base = await embedded();
    const controller = new AbortController();
    const pass = runtime.embed(texts, controller.signal);
    const outcome = pass.catch((e: unknown) => e);
    await waitFor(async () => await embedded() >= base + 2, 60_000, 'the pass to start');
    controller.abort();
    const atStop = await embedded();
    const e = await outcome;
    assert.ok(e instanceof SovereignError && e.kind === 'cancelled', String(e));
    // The worker answers the cancelled request only after its loop has stopped; later counts are final.
    await runtime.embed([]);
    const final = await embedded();
    assert.ok(final - atStop <= 2, `went on for ${final - atStop} texts after the stop`);
    assert.ok(final - base < texts.length);
  });
});
