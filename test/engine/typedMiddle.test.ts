import * as assert from 'node:assert/strict';
import type { RuntimeClient } from '../../src/runtime/client';
import type { CompletionResult } from '../../src/runtime/protocol';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime, fimParams } from './runtimeFixture';

/**
 * The typed middle (src/fim/holeStart.ts, fimLayout.ts): in a prefix-suffix-middle prompt, what the
 * user types goes after the middle token, so a keystroke evaluates what was typed and not the
 * whole suffix again. Real worker, real models: fim-qwen2 (a typed-middle family) beside
 * fim-codellama (a SentencePiece family that keeps the typed text in its prefix, so every
 * keystroke re-evaluates its suffix: the cost this removes).
 */
const above = Array.from({ length: 24 }, (_, i) => `    total_${i} = compute_value(items[${i}], weight=${i * 3})\n`).join('');
const prefix = `def summarize(items):\n${above}`;
const suffix = Array.from({ length: 12 }, (_, i) => `    check_${i}(total_${i}, limit=${i * 5})\n`).join('') + '    return total_0\n';
/** What the user types at the hole: a line, Enter with its indentation, and the start of another. */
const typing = '    result = total_3 + total_4\n    if result > 1';

describe('engine: a keystroke evaluates what was typed, not the suffix again (typed middle)', function () {
  let qwen: RuntimeClient;
  let llama: RuntimeClient;
  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    qwen = createRuntime({ completion: testModelPath('fim-qwen2') }, { contextSize: 2048 });
    llama = createRuntime({ completion: testModelPath('fim-codellama') }, { contextSize: 2048 });
  });
  after(async () => {
    await qwen.shutdown();
    await llama.shutdown();
  });

  /** Types `typing` a character at a time after the cursor, one request a keystroke. */
  async function typeAlong(runtime: RuntimeClient): Promise<CompletionResult[]> {
    await runtime.complete(fimParams(prefix, suffix, 2));
    const results: CompletionResult[] = [];
    for (let i = 1; i <= typing.length; i++) results.push(await runtime.complete(fimParams(prefix + typing.slice(0, i), suffix, 2)));
    return results;
  }

  it('typing a line and the next one: each keystroke evaluates a few tokens, the suffix stays in the cache', async () => {
    const typed = await typeAlong(qwen);
    const others = await typeAlong(llama);
    const most = Math.max(...typed.map((r) => r.stats.evaluatedTokens));
    // A keystroke ends or extends a token, and the last one is evaluated again for its logits.
    assert.ok(most <= 4, `qwen evaluated at most ${most} tokens a keystroke: ${typed.map((r) => r.stats.evaluatedTokens).join(' ')}`);
    // Without the typed middle every keystroke evaluates the suffix again (over 12 lines of it).
    const fewest = Math.min(...others.map((r) => r.stats.evaluatedTokens));
    assert.ok(fewest > 100, `codellama evaluated at least ${fewest} tokens a keystroke (its suffix)`);
    // The same prompt length on each side's last keystroke: the typed text is in the prompt.
    const last = typed[typed.length - 1].stats;
    assert.ok(last.reusedTokens + last.evaluatedTokens > 500, 'the whole prompt is there');
  });

  it("the worker's token counters add up the requests' own figures (bench:completion reads them for every request)", async () => {
    const before = (await qwen.status())!.completions;
    const results = [await qwen.complete(fimParams(`# a jump\n${prefix}`, suffix, 2)), await qwen.complete(fimParams(`# a jump\n${prefix}x`, suffix, 2))];
    const after = (await qwen.status())!.completions;
    const sum = (f: (r: CompletionResult) => number) => results.reduce((n, r) => n + f(r), 0);
    assert.equal(after.evaluatedTokens - before.evaluatedTokens, sum((r) => r.stats.evaluatedTokens));
    assert.equal(after.promptTokens - before.promptTokens, sum((r) => r.stats.evaluatedTokens + r.stats.reusedTokens));
    assert.ok(results[0].stats.evaluatedTokens > 400, 'the jump evaluated the prompt from its first line');
  });

  it('the cache after typing is the prompt: asking again evaluates one token and answers the same', async () => {
    const typed = await typeAlong(qwen);
    const again = await qwen.complete(fimParams(prefix + typing, suffix, 2));
    assert.equal(again.stats.evaluatedTokens, 1, 'only the last prompt token, whose logits start the answer');
    assert.equal(again.text, typed[typed.length - 1].text);
  });

  it("a longer middle that pushed the prefix's cut down a block (a speculative request with the shown suggestion typed) does not bring it back, nor does the window moving: the next keystrokes stay cheap", async () => {
    // 120 lines above the hole, over a 700-token prefix budget: the cut lands on a block of 16 lines.
    const many = `def summarize(items):\n${Array.from({ length: 120 }, (_, i) => `    total_${i} = compute_value(items[${i}], weight=${i * 3})\n`).join('')}`;
    const ask = (text: string) => qwen.complete({ ...fimParams(many + text, suffix, 2), maxPrefixTokens: 700 });
    const promptOf = (r: CompletionResult) => r.stats.reusedTokens + r.stats.evaluatedTokens;
    const line = '    result = total_3';
    const base = await ask(line);
    // The middle grows (a suggestion shown and typed) until the prefix loses a block to it.
    let pushed: CompletionResult | undefined;
    for (let n = 1; n <= 60 && !pushed; n++) {
      const r = await ask(line + ' + total_4'.repeat(n));
      if (promptOf(r) < promptOf(base)) pushed = r;
    }
    assert.ok(pushed, 'a longer middle moved the cut down a block');
    // The user types on without it: the cut stays down, where the cache has it.
    const next = await ask(`${line} `);
    assert.ok(next.stats.evaluatedTokens <= 4, `the next keystroke evaluated ${next.stats.evaluatedTokens} of ${promptOf(next)} tokens`);
    // The editor's window then drops 16 lines from its top (the cursor moved down): the cut stays
    // on the same text, now further up in the prefix, and the keystroke stays cheap.
    const shifted = many.split('\n').slice(16).join('\n');
    const moved = await qwen.complete({ ...fimParams(`${shifted}${line} t`, suffix, 2), maxPrefixTokens: 700 });
    assert.ok(Math.abs(promptOf(moved) - promptOf(next) - 1) <= 1, `the same prompt and the key typed: ${promptOf(moved)} tokens, ${promptOf(next)} before`);
    assert.ok(moved.stats.evaluatedTokens <= 4, `after the window moved, the keystroke evaluated ${moved.stats.evaluatedTokens} of ${promptOf(moved)} tokens`);
    // A jump away and back: the window starts 16 lines higher again. The cut stays on its text.
    const back = await qwen.complete({ ...fimParams(`${many}${line} ty`, suffix, 2), maxPrefixTokens: 700 });
    assert.ok(back.stats.evaluatedTokens <= 4, `with the window's top back up, the keystroke evaluated ${back.stats.evaluatedTokens} of ${promptOf(back)} tokens`);
  });

  it('an edit above the hole opens a new one: the suffix is evaluated again, once', async () => {
    await typeAlong(qwen);
    const edited = prefix.replace('total_20', 'sum_20') + typing;
    const afterEdit = await qwen.complete(fimParams(edited, suffix, 2));
    assert.ok(afterEdit.stats.evaluatedTokens > 100, `the edit re-evaluates from line 21 on: ${afterEdit.stats.evaluatedTokens}`);
    const next = await qwen.complete(fimParams(`${edited}0`, suffix, 2));
    assert.ok(next.stats.evaluatedTokens <= 4, `then typing is cheap again: ${next.stats.evaluatedTokens}`);
  });
});
