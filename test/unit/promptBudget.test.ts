import * as assert from 'node:assert/strict';
import { PromptBudget, PromptRate, type TokenCaps } from '../../src/runtime/worker/promptBudget';

const requested: TokenCaps = { maxPrefixTokens: 1536, maxSuffixTokens: 256, maxExtraTokens: 2048 };

function budgetAt(tokensPerSecond: number): { rate: PromptRate; budget: PromptBudget } {
  const rate = new PromptRate();
  rate.observe(64, (64 / tokensPerSecond) * 1000);
  return { rate, budget: new PromptBudget(rate) };
}

const total = (c: TokenCaps) => c.maxPrefixTokens + c.maxSuffixTokens + c.maxExtraTokens;

describe('PromptBudget', () => {
  it('keeps the requested bounds before anything was measured, and with no budget', () => {
    assert.deepEqual(new PromptBudget(new PromptRate()).caps(requested, 6000, false), requested);
    assert.deepEqual(budgetAt(100).budget.caps(requested, 0, false), requested);
  });

  it('on a slow CPU, fits the whole prompt and the per-keystroke suffix to the time budget', () => {
    const caps = budgetAt(100).budget.caps(requested, 6000, false);
    // 100 tokens/s × 6 s = 600 tokens → the 512 tier; the suffix gets 6000/16 ms → 37 → 32 tokens.
    assert.equal(total(caps), 512);
    assert.equal(caps.maxSuffixTokens, 32);
    assert.ok(caps.maxPrefixTokens > caps.maxExtraTokens, 'the code being written gets most of it');
    assert.ok((total(caps) / 100) * 1000 <= 6000, 'a whole prompt evaluates within the budget');
  });

  it('on a fast machine, the requested bounds hold', () => {
    const caps = budgetAt(5000).budget.caps(requested, 6000, false);
    assert.equal(caps.maxPrefixTokens, 1536);
    assert.equal(caps.maxSuffixTokens, 256);
    assert.ok(caps.maxExtraTokens > 1000);
  });

  it('a suffix-first format (evaluated once, not per keystroke) keeps a longer suffix', () => {
    const { budget } = budgetAt(400);
    const psm = budget.caps(requested, 6000, false);
    const spm = new PromptBudget(budgetAt(400).rate).caps(requested, 6000, true);
    assert.ok(spm.maxSuffixTokens > psm.maxSuffixTokens, `${spm.maxSuffixTokens} > ${psm.maxSuffixTokens}`);
  });

  it('does not flap with a noisy rate (a new size costs a full evaluation), but follows a real change', () => {
    const { rate, budget } = budgetAt(100);
    const first = total(budget.caps(requested, 6000, false));
    for (const tps of [90, 120, 85, 130, 95, 110]) {
      rate.observe(64, (64 / tps) * 1000);
      assert.equal(total(budget.caps(requested, 6000, false)), first, `at ${tps} tokens/s`);
    }
    for (let i = 0; i < 10; i++) rate.observe(64, (64 / 400) * 1000);
    assert.ok(total(budget.caps(requested, 6000, false)) > first, 'a machine four times faster gets a bigger prompt');
    for (let i = 0; i < 10; i++) rate.observe(64, (64 / 40) * 1000);
    assert.ok(total(budget.caps(requested, 6000, false)) < first, 'a loaded machine gets a smaller one');
  });

  it('ignores steps too short to say anything about speed', () => {
    const rate = new PromptRate();
    rate.observe(1, 0.01);
    assert.equal(rate.tokensPerSecond, undefined);
  });
});
