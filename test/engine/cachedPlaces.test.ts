import * as assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client';
import type { CompletionParams } from '../../src/runtime/protocol';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime } from './runtimeFixture';

/**
 * Cached places (sovereign.completion.cachedPlaces, choosePlace.ts): the completion context keeps
 * a sequence for each of the last few places the user wrote at, so a jump back to one evaluates
 * only what changed there, where one sequence evaluated the whole prompt again. Real worker, real
 * model (fim-qwen2), three places beside one.
 */
const region = (name: string) =>
  `def ${name}(items):\n` + Array.from({ length: 40 }, (_, i) => `    ${name}_${i} = compute_value(items[${i}], weight=${i * 3}) + offset_${i % 7}\n`).join('');
/**
 * Where the user types in each place, each in its own file: no window sees another place's text,
 * and the prompts share no more than their first token (the file's path is in each prompt's head).
 */
const at = (name: string, typed = ''): CompletionParams => ({
  filePath: `src/${name}.py`,
  prefix: `${region(name)}    ${typed}`,
  suffix: `\n    return ${name}_0\n`,
  maxTokens: 8,
  maxPrefixTokens: 4096,
  maxSuffixTokens: 256,
});

describe('engine: a jump back to a recent place evaluates only what changed there (cached places)', function () {
  let one: RuntimeClient;
  let three: RuntimeClient;
  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    // Fixed threads: another thread count sums in another order, and the random model's greedy
    // answer can flip on the last bit of a logit.
    const options = { contextSize: 2048, cacheReuse: true, adaptiveThreads: false };
    one = createRuntime({ completion: testModelPath('fim-qwen2') }, { ...options, cachedPlaces: 1 });
    three = createRuntime({ completion: testModelPath('fim-qwen2') }, { ...options, cachedPlaces: 3 });
  });
  after(async () => {
    await one.shutdown();
    await three.shutdown();
  });

  it('A, B, A again: the second visit to A evaluates what was typed, and answers as without the jump', async () => {
    // The answer without the jump: A's prompt evaluated, then what was typed (the same steps).
    await one.complete(at('alpha'));
    const stayed = await one.complete(at('alpha', 'res'));
    for (const runtime of [one, three]) {
      await runtime.complete(at('alpha'));
      await runtime.complete(at('beta'));
    }
    const back = await three.complete(at('alpha', 'res'));
    const fresh = await one.complete(at('alpha', 'res'));
    const prompt = fresh.stats.reusedTokens + fresh.stats.evaluatedTokens;
    assert.ok(prompt > 400, `a long prompt: ${prompt} tokens`);
    assert.ok(fresh.stats.evaluatedTokens > 400, `one sequence: the jump back evaluated ${fresh.stats.evaluatedTokens} tokens`);
    assert.ok(back.stats.evaluatedTokens <= 4, `three places: the jump back evaluated ${back.stats.evaluatedTokens} of ${prompt} tokens`);
    assert.equal(back.stats.reusedTokens + back.stats.evaluatedTokens, prompt, 'the same prompt on both sides');
    assert.equal(back.text, stayed.text, 'the kept state gives the greedy answer it gave before the jump');
  });

  it('a fourth place overwrites the least recently used one; the place just left stays', async () => {
    // After the test above the three places hold beta, alpha (most recent) and one unused.
    await three.complete(at('gamma'));
    await three.complete(at('delta')); // four places, three sequences: beta, the oldest, goes
    const alpha = await three.complete(at('alpha', 'res'));
    assert.ok(alpha.stats.evaluatedTokens <= 4, `alpha was still kept: ${alpha.stats.evaluatedTokens} tokens evaluated`);
    const gamma = await three.complete(at('gamma'));
    assert.ok(gamma.stats.evaluatedTokens <= 4, `gamma was still kept: ${gamma.stats.evaluatedTokens} tokens evaluated`);
    const beta = await three.complete(at('beta'));
    assert.ok(beta.stats.evaluatedTokens > 400, `beta was overwritten: ${beta.stats.evaluatedTokens} tokens evaluated`);
  });
});
