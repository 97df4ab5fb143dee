import { strict as assert } from 'node:assert';
import { planKvReuse } from '../../src/runtime/worker/planKvReuse';

/** The cache after erasing the plan's ranges, as node-llama-cpp's eraseContextTokenRanges leaves it. */
function apply(cached: number[], ranges: { start: number; end: number }[]): number[] {
  return cached.filter((_, i) => !ranges.some((r) => i >= r.start && i < r.end));
}

const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('planKvReuse (KV reuse across jumps and window shifts)', () => {
  it('a window shift: the top lines dropped, the rest of the prefix reused in its new place', () => {
    const head = seq(1, 10); // the extra chunks and the prefix marker
    const dropped = seq(100, 40); // the window's top lines
    const kept = seq(200, 300);
    const cached = [...head, ...dropped, ...kept, 900, 901];
    const prompt = [...head, ...kept, 555, 556];
    const plan = planKvReuse(cached, prompt, 64);
    assert.deepEqual(plan.erase, [{ start: 10, end: 50 }, { start: 350, end: 352 }]);
    assert.equal(plan.kept, 310);
    assert.deepEqual(apply(cached, plan.erase), prompt.slice(0, plan.kept));
  });

  it('several runs, each moved down past what was dropped before it', () => {
    const a = seq(1000, 70);
    const b = seq(2000, 80);
    const cached = [7, ...seq(10, 5), ...a, ...seq(20, 3), ...b, ...seq(30, 9)];
    const prompt = [7, ...a, ...b, 42];
    const plan = planKvReuse(cached, prompt, 64);
    assert.equal(plan.kept, 1 + 70 + 80);
    assert.deepEqual(apply(cached, plan.erase), prompt.slice(0, plan.kept));
  });

  it('a run shorter than the minimum is evaluated again, not moved', () => {
    const cached = [1, 2, 3, ...seq(50, 10), ...seq(100, 63)];
    const prompt = [1, 2, 3, ...seq(100, 63), 9];
    const plan = planKvReuse(cached, prompt, 64);
    assert.deepEqual(plan, { erase: [], kept: 3 });
  });

  it('nothing in common at the start: no plan (erasing from 0 refills the whole sequence)', () => {
    const run = seq(100, 200);
    assert.deepEqual(planKvReuse([5, ...run], [6, ...run], 64), { erase: [], kept: 0 });
    // The whole prompt is in the cache one token later: still no plan when the first token differs.
    assert.deepEqual(planKvReuse([5, 6, ...run], [6, ...run], 64), { erase: [], kept: 0 });
  });

  it('a token inserted before a cached run ends the reuse there (runs only move down)', () => {
    const run = seq(100, 100);
    const cached = [1, 2, ...run];
    const prompt = [1, 2, 77, ...run];
    assert.deepEqual(planKvReuse(cached, prompt, 64), { erase: [], kept: 2 });
  });

  it('the prompt is the cache with its middle removed: the cache becomes exactly the prompt', () => {
    const cached = [...seq(1, 80), ...seq(500, 20), ...seq(700, 90)];
    const prompt = [...seq(1, 80), ...seq(700, 90)];
    const plan = planKvReuse(cached, prompt, 64);
    assert.equal(plan.kept, prompt.length);
    assert.deepEqual(apply(cached, plan.erase), prompt);
  });

  it('an identical prompt or a pure extension keeps the common prefix and erases nothing', () => {
    const cached = seq(1, 100);
    assert.deepEqual(planKvReuse(cached, cached, 64), { erase: [], kept: 100 });
    assert.deepEqual(planKvReuse(cached, [...cached, 5, 6], 64), { erase: [], kept: 100 });
  });
});
