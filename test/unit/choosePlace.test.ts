import { strict as assert } from 'node:assert';
import { choosePlace, keptTokens } from '../../src/runtime/worker/choosePlace';

const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
/** What every prompt starts with, wherever the cursor is: the FIM marker and the extra context. */
const head = seq(1, 80);
const placeA = [...head, ...seq(1000, 500)];
const placeB = [...head, ...seq(2000, 500)];
const placeC = [...head, ...seq(3000, 500)];
const choose = (places: { tokens: number[]; lastUsed: number }[], prompt: number[], minRun = 0, worthIt = 64) => choosePlace(places, prompt, head.length, minRun, worthIt);

describe('choosePlace (which sequence keeps a place)', () => {
  it('typing on: the place that holds the prompt so far, not the least recently used one', () => {
    const places = [
      { tokens: placeA, lastUsed: 3 },
      { tokens: placeB, lastUsed: 1 },
      { tokens: placeC, lastUsed: 2 },
    ];
    assert.equal(choose(places, [...placeA, 42]), 0);
    assert.equal(choose([{ tokens: placeA, lastUsed: 1 }, { tokens: [], lastUsed: 0 }], [...placeA, 42]), 0, 'not an unused sequence either');
  });

  it('a jump back: the place left two jumps ago, although it is the least recent but one', () => {
    const places = [
      { tokens: placeA, lastUsed: 1 },
      { tokens: placeB, lastUsed: 2 },
      { tokens: placeC, lastUsed: 3 },
      { tokens: [] as number[], lastUsed: 0 },
    ];
    assert.equal(choose(places, [...placeB.slice(0, 400), 7, 8]), 1);
  });

  it('a jump to a new place goes to the least recently used sequence: the place just left survives', () => {
    const places = [
      { tokens: placeA, lastUsed: 5 },
      { tokens: placeB, lastUsed: 2 },
      { tokens: placeC, lastUsed: 4 },
    ];
    // Every place keeps the head of the new prompt, none more: the oldest, B, is overwritten.
    assert.equal(choose(places, [...head, ...seq(5000, 300)]), 1);
    // An unused sequence is older than any used one: it is taken while the head is short...
    const short = [7, 8, 9];
    const shortPlaces = places.map((p) => ({ ...p, tokens: [...short, ...p.tokens.slice(head.length)] }));
    assert.equal(choosePlace([...shortPlaces, { tokens: [], lastUsed: 0 }], [...short, ...seq(5000, 300)], short.length, 0, 64), 3);
    // ...but not when it would evaluate a long head (80 tokens of extra context) again.
    assert.equal(choose([...places, { tokens: [], lastUsed: 0 }], [...head, ...seq(5000, 300)]), 1);
    // Nor is a used place whose head is out of date: the extra context changed since it was used.
    const stale = [{ tokens: [...seq(1, 10), ...seq(600, 70), ...seq(1000, 500)], lastUsed: 1 }, { tokens: placeB, lastUsed: 2 }];
    assert.equal(choose(stale, [...head, ...seq(5000, 300)]), 1);
  });

  it('a place must keep `worthIt` tokens past the head, or half of a short prompt past it', () => {
    const near = [...head, ...seq(1000, 30)];
    const places = [
      { tokens: near, lastUsed: 3 },
      { tokens: placeB, lastUsed: 1 },
    ];
    assert.equal(choose(places, [...placeA, 1]), 1, '30 tokens past the head: a new place');
    assert.equal(choose(places, [...placeA, 1], 0, 16), 0);
    // A short prompt (40 tokens past the head) that `near` keeps 30 of: the same place.
    assert.equal(choose(places, [...head, ...seq(1000, 40)]), 0);
    assert.equal(choose(places, [...head, ...seq(1000, 5), ...seq(7000, 35)]), 1, '5 of 40: a new place');
    // A prompt that is all head (an empty file) stays where it is kept whole.
    assert.equal(choose([{ tokens: [], lastUsed: 0 }, { tokens: placeA, lastUsed: 1 }], head), 1);
  });

  it('with KV reuse on, runs that can be moved into place count as kept', () => {
    // The window moved: A lost its first 40 prompt tokens after the head; the rest is still cached.
    const shifted = [...head, ...seq(1040, 460), 9];
    assert.equal(keptTokens(placeA, shifted, 0), head.length);
    assert.equal(keptTokens(placeA, shifted, 64), head.length + 460);
    const places = [
      { tokens: placeA, lastUsed: 2 },
      { tokens: placeB, lastUsed: 1 },
    ];
    assert.equal(choose(places, shifted, 0), 1, 'without reuse, A keeps only the head: a new place');
    assert.equal(choose(places, shifted, 64), 0);
  });

  it('one place: always that one', () => {
    assert.equal(choose([{ tokens: placeA, lastUsed: 9 }], placeB, 64), 0);
  });
});
