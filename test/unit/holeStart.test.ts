import { strict as assert } from 'node:assert';
import { HoleStart } from '../../src/fim/holeStart';

const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `  line_${from + i} = value(${from + i});\n`).join('');
const BIG = 10_000;

describe('HoleStart (where the typed middle of a FIM prompt begins)', () => {
  it('opens the hole at the start of the cursor line, as llama.cpp /infill splits input_prefix and prompt', () => {
    const hole = new HoleStart();
    assert.deepEqual(hole.split(`${lines(0, 3)}  ret`, BIG), { prefix: lines(0, 3), middle: '  ret' });
  });

  it('keeps it while the user types on, across new lines and through deletions after it', () => {
    const hole = new HoleStart();
    const before = lines(0, 3);
    hole.split(`${before}  ret`, BIG);
    assert.deepEqual(hole.split(`${before}  retu`, BIG), { prefix: before, middle: '  retu' });
    assert.deepEqual(hole.split(`${before}  return x\n  `, BIG), { prefix: before, middle: '  return x\n  ' });
    assert.deepEqual(hole.split(`${before}  return x\n  y = 1;\n`, BIG), { prefix: before, middle: '  return x\n  y = 1;\n' });
    // Backspace within the typed text, down to nothing typed at all.
    assert.deepEqual(hole.split(`${before}  re`, BIG), { prefix: before, middle: '  re' });
    assert.deepEqual(hole.split(before, BIG), { prefix: before, middle: '' });
  });

  it('moves to the cursor line when the text before the hole changed (an edit above, a jump)', () => {
    const hole = new HoleStart();
    hole.split(`${lines(0, 3)}  ret`, BIG);
    // Backspace past the hole's start: the last line of the old prefix lost its newline.
    const edited = lines(0, 3).slice(0, -1);
    assert.deepEqual(hole.split(edited, BIG), { prefix: lines(0, 2), middle: '  line_2 = value(2);' });
    // A jump to another place of the file.
    assert.deepEqual(hole.split(`${lines(40, 44)}  fo`, BIG), { prefix: lines(40, 44), middle: '  fo' });
  });

  it('keeps it when the editor window dropped lines from its top (completionWindow.ts moves in steps of 16)', () => {
    const hole = new HoleStart();
    hole.split(`${lines(0, 40)}  x`, BIG);
    assert.deepEqual(hole.split(`${lines(16, 40)}  x = 1;\n  y`, BIG), { prefix: lines(16, 40), middle: '  x = 1;\n  y' });
    // Not at a line start of the old prefix: the window never cuts inside a line, so this is other text.
    const inside = lines(16, 40).slice(3);
    assert.deepEqual(hole.split(`${inside}  x = 1;\n  y`, BIG), { prefix: `${inside}  x = 1;\n`, middle: '  y' });
  });

  it('moves to the cursor line when the typed middle outgrows its limit', () => {
    const hole = new HoleStart();
    const before = lines(0, 3);
    hole.split(before, 40);
    const typed = lines(3, 5); // 2 lines, over 40 characters
    assert.deepEqual(hole.split(`${before}${typed}  z`, 40), { prefix: `${before}${typed}`, middle: '  z' });
  });

  it('a cursor line alone over the limit (minified code) opens the hole at the cursor', () => {
    const hole = new HoleStart();
    const long = 'x'.repeat(100);
    assert.deepEqual(hole.split(`${lines(0, 2)}${long}`, 40), { prefix: `${lines(0, 2)}${long}`, middle: '' });
    assert.deepEqual(hole.split(`${lines(0, 2)}${long}ab`, 40), { prefix: `${lines(0, 2)}${long}`, middle: 'ab' });
  });

  it('an empty text has an empty hole, and one-line files keep theirs from the start', () => {
    const hole = new HoleStart();
    assert.deepEqual(hole.split('', BIG), { prefix: '', middle: '' });
    assert.deepEqual(hole.split('let a', BIG), { prefix: '', middle: 'let a' });
    assert.deepEqual(hole.split('let a = 1;\nlet', BIG), { prefix: '', middle: 'let a = 1;\nlet' });
  });
});
