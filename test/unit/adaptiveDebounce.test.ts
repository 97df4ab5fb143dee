import * as assert from 'node:assert/strict';
import { AdaptiveDebounce } from '../../src/completion/adaptiveDebounce';

describe('AdaptiveDebounce', () => {
  it('waits about one typing interval while the model is slower than the typist', () => {
    const d = new AdaptiveDebounce({ minMs: 20, maxMs: 400 });
    d.modelLatency(2000);
    for (let t = 0; t <= 1000; t += 100) d.keystroke(t);
    assert.equal(d.delayMs(), 120);
  });

  it('does not wait longer than a fast model takes to answer', () => {
    const d = new AdaptiveDebounce({ minMs: 20, maxMs: 400 });
    d.modelLatency(50);
    for (let t = 0; t <= 2000; t += 200) d.keystroke(t);
    assert.equal(d.delayMs(), 50);
  });

  it('stays within its limits and ignores thinking pauses', () => {
    const d = new AdaptiveDebounce({ minMs: 30, maxMs: 300 });
    d.keystroke(0);
    d.keystroke(10_000);
    assert.equal(d.delayMs(), 30);
    const slow = new AdaptiveDebounce({ minMs: 30, maxMs: 300 });
    for (let t = 0; t <= 9000; t += 900) slow.keystroke(t);
    assert.equal(slow.delayMs(), 300);
  });
});
