import * as assert from 'node:assert/strict';
import { completionWindow, windowLimits, type LineSource, type WindowLimits } from '../../src/completion/completionWindow';
import { completionSettings } from '../../src/config/completionSettings';
import { TableSettings } from './tableSettings';

const limits: WindowLimits = { prefixLines: 256, suffixLines: 64, prefixChars: 12_288, suffixChars: 2_048 };

/** Counts the lines read and the characters those lines hold (what a window could copy at most). */
const source = (lineAt: (i: number) => string, lineCount: number): LineSource & { reads: number } => {
  const s = { reads: 0, lineCount, lineAt: (i: number) => (s.reads++, lineAt(i)) };
  return s;
};

/** 5 MB of minified JavaScript on one line. */
const minified = (() => {
  const unit = 'function a(b,c){return b+c}var d=a(1,2),e=[1,2,3].map(function(f){return f*d});';
  return unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length));
})();

function time<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

describe('completionWindow on huge and long files (bounded prompt, no copy of the document)', () => {
  it('a 5 MB one-line file, cursor in the middle: both sides within their character bounds', () => {
    const doc = source(() => minified, 1);
    const middle = Math.floor(minified.length / 2);
    const { value: w, ms } = time(() => completionWindow(doc, 0, middle, limits));
    console.log(`      5 MB line, cursor in the middle: prefix ${w.prefix.length} chars, suffix ${w.suffix.length} chars, ${ms.toFixed(2)} ms`);
    assert.ok(w.prefix.length <= limits.prefixChars! && w.prefix.length > limits.prefixChars! - 1024, `prefix ${w.prefix.length}`);
    assert.equal(w.suffix.length, limits.suffixChars);
    assert.ok(minified.slice(0, middle).endsWith(w.prefix), 'the prefix is the text just before the cursor');
    assert.ok(minified.slice(middle).startsWith(w.suffix), 'the suffix is the text just after the cursor');
    assert.equal(w.linePrefix, w.prefix);
    assert.equal(w.lineSuffix, w.suffix);
    assert.deepEqual(w.linesBelow, []);
    assert.equal(doc.reads, 1);
  });

  it('a 5 MB one-line file, cursor at the end: the prefix is bounded and the suffix empty', () => {
    const { value: w, ms } = time(() => completionWindow(source(() => minified, 1), 0, minified.length, limits));
    console.log(`      5 MB line, cursor at the end: prefix ${w.prefix.length} chars, ${ms.toFixed(2)} ms`);
    assert.ok(w.prefix.length <= limits.prefixChars!);
    assert.ok(minified.endsWith(w.prefix));
    assert.equal(w.suffix, '');
  });

  it('the bounds from the default settings hold, and fill the default token bounds', () => {
    const settings = completionSettings(new TableSettings());
    const defaults = windowLimits(settings);
    const w = completionWindow(source(() => minified, 1), 0, 3_000_000, defaults);
    assert.ok(w.prefix.length <= defaults.prefixChars && w.prefix.length >= settings.maxPrefixTokens * 4, `prefix ${w.prefix.length}`);
    assert.ok(w.suffix.length <= defaults.suffixChars && w.suffix.length >= settings.maxSuffixTokens * 4, `suffix ${w.suffix.length}`);
  });

  it('a suffix bound of 0 tokens still keeps the rest of the cursor line (single-line mode, post-processing)', () => {
    const limits = windowLimits({ ...completionSettings(new TableSettings()), maxSuffixTokens: 0 });
    const w = completionWindow(source(() => 'x = compute(a, b)  # the rest of the line', 1), 0, 4, limits);
    assert.equal(w.lineSuffix, 'compute(a, b)  # the rest of the line');
  });

  it('typing at the end of a 5 MB line keeps the prompt start for 1,024 keystrokes at a time', () => {
    // The cursor walks over existing text: the window sees what it would if those were typed
    // (appending to a 5 MB string 3,000 times would measure V8's string flattening instead).
    const starts: number[] = [];
    const doc = source(() => minified, 1);
    for (let cursor = minified.length - 3000; cursor < minified.length; cursor++) {
      const w = completionWindow(doc, 0, cursor, limits);
      starts.push(cursor - w.prefix.length);
    }
    const distinct = new Set(starts).size;
    assert.ok(distinct <= 4, `the start moved ${distinct - 1} times in 3,000 keystrokes`);
    for (const s of starts) assert.equal(s % 1024, 0, 'the cut sits on a 1,024-character step');
  });

  it('never splits a surrogate pair at a cut', () => {
    const emoji = '😀'.repeat(20_000); // 40,000 UTF-16 units, a pair each
    for (const cursor of [20_000, 20_002, 39_998]) {
      const w = completionWindow(source(() => emoji, 1), 0, cursor, limits);
      assert.ok(!/^[\udc00-\udfff]/.test(w.prefix), `prefix starts inside a pair at cursor ${cursor}`);
      assert.ok(!/[\ud800-\udbff]$/.test(w.suffix), `suffix ends inside a pair at cursor ${cursor}`);
    }
  });

  it('a 10,000-line file, cursor near the end: bounded by lines, reads only those lines', () => {
    const doc = source((i) => `    const value${i} = compute(${i}, "some text to make the line realistic");`, 10_000);
    const { value: w, ms } = time(() => completionWindow(doc, 9_990, 10, limits));
    console.log(`      10,000 lines, cursor at line 9,990: prefix ${w.prefix.length} chars, suffix ${w.suffix.length} chars, ${doc.reads} lines read, ${ms.toFixed(2)} ms`);
    assert.ok(w.prefix.length <= limits.prefixChars!);
    assert.ok(w.suffix.length <= limits.suffixChars!);
    assert.ok(doc.reads <= limits.prefixLines + 16 + 1 + limits.suffixLines + 2, `${doc.reads} lines read`);
    assert.ok(w.suffix.endsWith('value9999 = compute(9999, "some text to make the line realistic");'), 'the last lines are there');
  });

  it('long lines: the prefix is cut at a 16-line step and stays there while the user types', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `${i}:`.padEnd(200, '='));
    const doc = (typed: string) => source((i) => (i === 390 ? typed : lines[i]), 400);
    const starts = new Set<string>();
    let typed = '';
    for (let i = 0; i < 200; i++) {
      typed += 'y';
      const w = completionWindow(doc(typed), 390, typed.length, limits);
      assert.ok(w.prefix.length <= limits.prefixChars!, `prefix ${w.prefix.length}`);
      starts.add(w.prefix.slice(0, w.prefix.indexOf(':')));
    }
    // 12,288 chars hold 61 lines of 201: 336 is the first multiple of 16 whose lines fit.
    assert.deepEqual([...starts], ['336']);
  });

  it('a very long line just above the cursor is left out rather than cut', () => {
    const lines = ['a = 1', minified, 'b = 2', 'c = '];
    const w = completionWindow(source((i) => lines[i], lines.length), 3, 4, limits);
    assert.equal(w.prefix, 'b = 2\nc = ');
  });

  it('a very long line below the cursor ends the suffix', () => {
    const lines = ['x = ', 'y = 1', minified, 'z = 3'];
    const w = completionWindow(source((i) => lines[i], lines.length), 0, 4, limits);
    assert.equal(w.suffix, '\ny = 1');
    assert.deepEqual(w.linesBelow, ['y = 1']);
  });
});
