import * as assert from 'node:assert/strict';
import { AdaptiveDebounce, endsWord } from '../../src/completion/adaptiveDebounce';

describe('AdaptiveDebounce', () => {
  it('waits about one typing interval while the model is slower than the typist', () => {
    const d = new AdaptiveDebounce();
    d.modelLatency(2000);
    for (let t = 0; t <= 1000; t += 100) d.keystroke(t);
    assert.equal(d.delayMs({ minMs: 20, maxMs: 400 }), 120);
  });

  it('does not wait longer than a fast model takes to answer', () => {
    const d = new AdaptiveDebounce();
    d.modelLatency(50);
    for (let t = 0; t <= 2000; t += 200) d.keystroke(t);
    assert.equal(d.delayMs({ minMs: 20, maxMs: 400 }), 50);
  });

  it('stays within its limits and ignores thinking pauses', () => {
    const d = new AdaptiveDebounce();
    d.keystroke(0);
    d.keystroke(10_000);
    assert.equal(d.delayMs({ minMs: 30, maxMs: 300 }), 30);
    const slow = new AdaptiveDebounce();
    for (let t = 0; t <= 9000; t += 900) slow.keystroke(t);
    assert.equal(slow.delayMs({ minMs: 30, maxMs: 300 }), 300);
  });

  it('new limits apply to the next delay and keep what was learned about the typist', () => {
    const d = new AdaptiveDebounce();
    d.modelLatency(2000);
    for (let t = 0; t <= 1000; t += 100) d.keystroke(t);
    assert.equal(d.delayMs({ minMs: 30, maxMs: 60 }), 60);
    assert.equal(d.delayMs({ minMs: 30, maxMs: 400 }), 120);
  });

  it('asks at once where a word or line ended, and waits a typing interval inside a word', () => {
    const d = new AdaptiveDebounce();
    d.modelLatency(2000);
    for (let t = 0; t <= 1000; t += 100) d.keystroke(t);
    assert.equal(d.delayMs({ minMs: 30, maxMs: 400 }, true), 0);
    assert.equal(d.delayMs({ minMs: 30, maxMs: 400 }, false), 120);
  });

  it('endsWord: after a non-identifier character, on an empty or indented line; not inside a word', () => {
    for (const ended of ['', '    ', '\t', 'foo(', 'a.', 'let x ', 'x = y;', 'if (a) {', 'call(a, ']) assert.equal(endsWord(ended), true, JSON.stringify(ended));
    for (const inside of ['f', '  retu', 'x = y', 'foo_bar', 'obj.$el', 'café', 'n = 42']) assert.equal(endsWord(inside), false, JSON.stringify(inside));
  });
});
