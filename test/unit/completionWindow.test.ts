import * as assert from 'node:assert/strict';
import { completionWindow, type LineSource } from '../../src/completion/completionWindow';

/** Line bounds only: character bounds far away (completionWindowBounds.test.ts tests those). */
const byLines = (prefixLines: number, suffixLines: number) => ({ prefixLines, suffixLines, prefixChars: 1e9, suffixChars: 1e9 });

const source = (lines: string[]): LineSource & { reads: number } => {
  const s = { reads: 0, lineCount: lines.length, lineAt: (i: number) => (s.reads++, lines[i]) };
  return s;
};

describe('completionWindow', () => {
  const lines = ['l0', 'l1', 'l2 abc', 'l3', 'l4'];

  it('splits the document at the cursor', () => {
    const w = completionWindow(source(lines), 2, 3, byLines(10, 10));
    assert.equal(w.prefix, 'l0\nl1\nl2 ');
    assert.equal(w.suffix, 'abc\nl3\nl4');
    assert.equal(w.linePrefix, 'l2 ');
    assert.equal(w.lineSuffix, 'abc');
    assert.deepEqual(w.linesBelow, ['l3', 'l4']);
  });

  it('bounds the window by lines on both sides', () => {
    const w = completionWindow(source(lines), 2, 3, byLines(10, 1));
    assert.equal(w.prefix, 'l0\nl1\nl2 ');
    assert.equal(w.suffix, 'abc\nl3');
  });

  it('reads only the window of a 10,000-line file', () => {
    const big = source(Array.from({ length: 10_000 }, (_, i) => `line ${i}`));
    const w = completionWindow(big, 5000, 4, byLines(256, 64));
    assert.equal(w.prefix.split('\n').length, 257 + 8, 'from line 4736, a multiple of 16');
    assert.equal(w.suffix.split('\n').length, 65);
    assert.equal(big.reads, 264 + 1 + 64);
  });

  it('keeps the window start while the cursor moves down, then jumps 16 lines', () => {
    const big = source(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    const starts = [500, 501, 515, 516].map((l) => completionWindow(big, l, 0, byLines(256, 8)).prefix.split('\n')[0]);
    assert.deepEqual(starts, ['line 240', 'line 240', 'line 256', 'line 256']);
  });
});
