import * as assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client';
import type { CompletionParams } from '../../src/runtime/protocol';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime } from './runtimeFixture';

/**
 * Prompt lookup (sovereign.completion.promptLookup) drafts tokens that follow a match in the prompt
 * and lets the model verify them in one batch: it must never change a greedy suggestion, whether
 * its drafts are refuted or confirmed.
 */
const suffix = '\n\n\ndef main():\n    print(read_config("a.toml"))\n';
// The cursor after `data = `: the typed middle (src/fim/holeStart.ts) is that line, and the
// search below finds a self-containing prompt for each of these names within 4 rounds.
const head = (name: string) => `import os\n\ndef ${name}(path):\n    with open(path) as f:\n        data = `;
const params = (prefix: string, maxTokens = 16): CompletionParams => ({ prefix, suffix, maxTokens, maxPrefixTokens: 1024, maxSuffixTokens: 256 });

/**
 * A prompt that contains the model's own greedy continuation: the continuation of `text + base` is
 * placed before `base` until it no longer changes (a random model's output depends on all of its
 * prompt, so it takes a few rounds). This is what a trained model does when it repeats a line.
 * The iteration can settle in a cycle instead (seen with a period of 3): then there is none.
 */
async function selfContainingOrNone(runtime: RuntimeClient, base: string): Promise<{ prefix: string; text: string } | undefined> {
  let text = (await runtime.complete(params(base))).text;
  for (let round = 0; round < 12; round++) {
    const prefix = `${text}\n${base}`;
    const next = (await runtime.complete(params(prefix))).text;
    if (next === text) return { prefix, text };
    text = next;
  }
  return undefined;
}

/** The first `count` self-containing prompts of functions with these names. */
async function selfContaining(runtime: RuntimeClient, names: readonly string[], count = 1): Promise<{ name: string; prefix: string; text: string }[]> {
  const found: { name: string; prefix: string; text: string }[] = [];
  for (const name of names) {
    const hit = await selfContainingOrNone(runtime, head(name));
    if (hit) found.push({ name, ...hit });
    if (found.length === count) return found;
  }
  throw new Error(`only ${found.length} of ${count} prompts found that contain their own continuation`);
}

const NAMES = ['read_config', 'fetch', 'open_db', 'parse', 'load_all', 'save', 'connect', 'render'];

describe('engine: prompt lookup (speculative drafts from the prompt)', function () {
  let plain: RuntimeClient;
  let lookup: RuntimeClient;
  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    plain = createRuntime({ completion: testModelPath('fim-qwen2') });
    lookup = createRuntime({ completion: testModelPath('fim-qwen2') }, { promptLookup: true });
  });
  after(async () => {
    await plain.shutdown();
    await lookup.shutdown();
  });

  it('drafts that miss: the same greedy text, drafts refuted', async () => {
    const [{ text }] = await selfContaining(plain, ['load', ...NAMES]);
    // The continuation's first words, then something else: the lookup finds them and drafts the wrong rest.
    const words = text.split(' ');
    const prefix = `${words.slice(0, 2).join(' ')} nothing of what follows\n${head('load')}`;
    const without = await plain.complete(params(prefix, 24));
    const withLookup = await lookup.complete(params(prefix, 24));
    assert.equal(withLookup.text, without.text);
    assert.equal(without.stats.draftedTokens, undefined, 'no counters when prompt lookup is off');
    const { draftedTokens = 0, acceptedTokens = 0 } = withLookup.stats;
    assert.ok(draftedTokens - acceptedTokens > 0, `refuted drafts: ${draftedTokens - acceptedTokens} of ${draftedTokens}`);
  });

  it('drafts that hit: the same greedy text, drafts confirmed', async () => {
    for (const { name, prefix, text } of await selfContaining(plain, NAMES, 3)) {
      const withLookup = await lookup.complete(params(prefix));
      assert.equal(withLookup.text, text, name);
      const { draftedTokens = 0, acceptedTokens = 0 } = withLookup.stats;
      assert.ok(acceptedTokens >= 4, `${name}: ${acceptedTokens} of ${draftedTokens} drafts confirmed`);
    }
  });

  it('keeps the KV cache right across requests: a longer prompt after drafts still gives the plain text', async () => {
    const [{ prefix, text }] = await selfContaining(plain, ['parse', ...NAMES]);
    await lookup.complete(params(prefix));
    // The user typed the first characters of the suggestion: drafts left in the cache must not leak.
    const typed = prefix + text.slice(0, 6);
    const without = await plain.complete(params(typed, 24));
    const withLookup = await lookup.complete(params(typed, 24));
    assert.equal(withLookup.text, without.text);
    assert.ok(withLookup.stats.reusedTokens > 0, 'the cached prompt was reused');
  });
});
