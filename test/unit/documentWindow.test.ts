import * as assert from 'node:assert/strict';
import { documentWindow } from '../../src/completion/documentWindow';

describe('documentWindow', () => {
  const lines = ['l0', 'l1', 'l2 abc', 'l3', 'l4'];

  it('splits at the cursor', () => {
    const w = documentWindow(lines, 2, 3, { prefixLines: 10, suffixLines: 10 });
    assert.equal(w.prefix, 'l0\nl1\nl2 ');
    assert.equal(w.suffix, 'abc\nl3\nl4');
    assert.equal(w.lineSuffix, 'abc');
  });

  it('bounds the window by lines on both sides', () => {
    const w = documentWindow(lines, 2, 3, { prefixLines: 1, suffixLines: 1 });
    assert.equal(w.prefix, 'l1\nl2 ');
    assert.equal(w.suffix, 'abc\nl3');
  });

  it('costs the same for a 10,000-line file', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => `line ${i}`);
    const w = documentWindow(big, 5000, 4, { prefixLines: 256, suffixLines: 64 });
    assert.equal(w.prefix.split('\n').length, 257);
    assert.equal(w.suffix.split('\n').length, 65);
  });
});
