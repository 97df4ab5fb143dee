import * as assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client';
import type { CompletionParams } from '../../src/runtime/protocol';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime } from './runtimeFixture';

/**
 * KV reuse across window shifts and jumps (sovereign.completion.cacheReuse, planKvReuse.ts): when
 * the prefix window loses its top lines, the rest of it stays in the KV cache, moved into its new
 * place, and only what is new is evaluated. Real worker, real model (fim-qwen2).
 */
const lines = Array.from({ length: 64 }, (_, i) => `    total_${i} = compute_value(items[${i}], weight=${i * 3}) + offset_${i % 7}\n`);
const suffix = '\n    return total\n\n\ndef main():\n    print(summarize(load()))\n';
const params = (from: number, to: number, typed = ''): CompletionParams => ({
  prefix: `def summarize(items):\n${lines.slice(from, to).join('')}    ${typed}`,
  suffix,
  maxTokens: 8,
  maxPrefixTokens: 4096,
  maxSuffixTokens: 256,
});

describe('engine: KV reuse across window shifts (cache reuse)', function () {
  let cold: RuntimeClient;
  let reuse: RuntimeClient;
  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    cold = createRuntime({ completion: testModelPath('fim-qwen2') }, { contextSize: 4096, cacheReuse: false });
    reuse = createRuntime({ completion: testModelPath('fim-qwen2') }, { contextSize: 4096, cacheReuse: true });
  });
  after(async () => {
    await cold.shutdown();
    await reuse.shutdown();
  });

  it('a window that lost its top lines evaluates only what is new; the rest is moved, not evaluated', async () => {
    for (const runtime of [cold, reuse]) await runtime.complete(params(0, 40));
    // The window moved down 16 lines and the user typed a word: the lines 16..39 are still there.
    const withoutReuse = await cold.complete(params(16, 56, 'res'));
    const withReuse = await reuse.complete(params(16, 56, 'res'));
    assert.equal(withoutReuse.stats.shiftedTokens, undefined, 'no counter when the reuse is off');
    const shifted = withReuse.stats.shiftedTokens ?? 0;
    assert.ok(shifted > 64 * 4, `the kept lines were moved, not evaluated: ${shifted} tokens moved`);
    assert.equal(
      withReuse.stats.evaluatedTokens,
      withoutReuse.stats.evaluatedTokens - shifted,
      `evaluated ${withReuse.stats.evaluatedTokens} with reuse, ${withoutReuse.stats.evaluatedTokens} without; ${shifted} moved`,
    );
    assert.equal(withReuse.stats.reusedTokens + withReuse.stats.evaluatedTokens, withoutReuse.stats.reusedTokens + withoutReuse.stats.evaluatedTokens, 'the same prompt on both sides');
  });

  it('the moved cache is consistent: asking again evaluates one token and answers the same', async () => {
    await reuse.complete(params(0, 40));
    const shiftedOnce = await reuse.complete(params(16, 56, 'res'));
    assert.ok((shiftedOnce.stats.shiftedTokens ?? 0) > 0);
    const again = await reuse.complete(params(16, 56, 'res'));
    assert.equal(again.stats.evaluatedTokens, 1, 'only the last prompt token, whose logits start the answer');
    assert.equal(again.text, shiftedOnce.text);
  });

  it('a jump back to text the cache no longer holds is evaluated from the common prefix, as without reuse', async () => {
    await reuse.complete(params(30, 64));
    const back = await reuse.complete(params(0, 24));
    assert.equal(back.stats.shiftedTokens, 0);
    const fresh = await cold.complete(params(0, 24));
    assert.equal(back.text, fresh.text, 'nothing moved: the same greedy answer as from scratch');
  });
});
