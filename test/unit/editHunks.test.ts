import * as assert from 'node:assert/strict';
import { applyHunks, computeHunks, previewLines } from '../../src/edit/editHunks';
import { reanchorRegion } from '../../src/edit/reanchorRegion';

const original = ['def area(w, h):', '    # rectangle', '    return w * h', '', 'def perimeter(w, h):', '    return 2 * (w + h)'].join('\n');
const proposed = ['def area(w: float, h: float) -> float:', '    # rectangle', '    return w * h', '', 'def perimeter(w, h):', '    """Sum of the sides."""', '    return 2 * (w + h)'].join('\n');

describe('edit hunks', () => {
  it('splits a proposal into hunks separated by unchanged lines', () => {
    const hunks = computeHunks(original, proposed);
    assert.equal(hunks.length, 2);
    assert.deepEqual(hunks[0], { oldStart: 0, removed: ['def area(w, h):'], newStart: 0, added: ['def area(w: float, h: float) -> float:'] });
    assert.deepEqual(hunks[1], { oldStart: 5, removed: [], newStart: 5, added: ['    """Sum of the sides."""'] });
  });

  it('accepting all gives the proposal, rejecting all the original, exactly', () => {
    const hunks = computeHunks(original, proposed);
    assert.equal(applyHunks(original, hunks, () => true), proposed);
    assert.equal(applyHunks(original, hunks, () => false), original);
  });

  it('accepting one hunk and rejecting the other changes only that hunk', () => {
    const hunks = computeHunks(original, proposed);
    const firstOnly = applyHunks(original, hunks, (i) => i === 0);
    assert.equal(firstOnly, original.replace('def area(w, h):', 'def area(w: float, h: float) -> float:'));
    const secondOnly = applyHunks(original, hunks, (i) => i === 1);
    assert.equal(secondOnly, original.replace('def perimeter(w, h):\n', 'def perimeter(w, h):\n    """Sum of the sides."""\n'));
  });

  it('an insertion into an empty line (generate here) is one hunk; rejecting it restores the line', () => {
    const hunks = computeHunks('    ', '    x = 1\n    y = 2');
    assert.equal(hunks.length, 1);
    assert.equal(applyHunks('    ', hunks, () => false), '    ');
    assert.equal(applyHunks('    ', hunks, () => true), '    x = 1\n    y = 2');
  });

  it('the preview shows pending hunks as old then new lines, decided hunks as their outcome', () => {
    const hunks = computeHunks(original, proposed);
    const pending = previewLines(original, hunks, ['pending', 'pending']);
    assert.deepEqual(pending.slice(0, 2), [
      { text: 'def area(w, h):', kind: 'removed', hunk: 0 },
      { text: 'def area(w: float, h: float) -> float:', kind: 'added', hunk: 0 },
    ]);
    assert.equal(pending.length, original.split('\n').length + 2);
    const decided = previewLines(original, hunks, ['rejected', 'accepted']);
    assert.equal(decided.map((l) => l.text).join('\n'), applyHunks(original, hunks, (i) => i === 1));
    assert.ok(decided.every((l) => l.kind === 'same'));
  });
});

describe('re-anchoring a pending proposal', () => {
  const region = { start: 100, end: 200 };
  it('moves with edits above it', () => {
    assert.deepEqual(reanchorRegion(region, [{ offset: 10, length: 5, insertedLength: 12 }]), { start: 107, end: 207 });
    assert.deepEqual(reanchorRegion(region, [{ offset: 90, length: 10, insertedLength: 0 }]), { start: 90, end: 190 });
  });
  it('stays put with edits below it', () => {
    assert.deepEqual(reanchorRegion(region, [{ offset: 200, length: 0, insertedLength: 3 }, { offset: 250, length: 9, insertedLength: 0 }]), region);
  });
  it('sums several changes of one event', () => {
    assert.deepEqual(reanchorRegion(region, [{ offset: 0, length: 0, insertedLength: 1 }, { offset: 50, length: 2, insertedLength: 0 }, { offset: 300, length: 0, insertedLength: 5 }]), { start: 99, end: 199 });
  });
  it('is withdrawn when a change touches its text', () => {
    assert.equal(reanchorRegion(region, [{ offset: 150, length: 0, insertedLength: 1 }]), undefined);
    assert.equal(reanchorRegion(region, [{ offset: 95, length: 10, insertedLength: 0 }]), undefined);
    assert.equal(reanchorRegion(region, [{ offset: 199, length: 2, insertedLength: 0 }]), undefined);
  });
});

describe('edit preview of "generate here"', () => {
  it('shows only the new lines over an empty line; the decided outcome is exact', () => {
    const hunks = computeHunks('', 'def helper():\n    return 42');
    assert.deepEqual(previewLines('', hunks, ['pending']).map((l) => l.kind), ['added', 'added']);
    assert.equal(previewLines('', hunks, ['rejected']).map((l) => l.text).join('\n'), '');
    assert.equal(applyHunks('', hunks, () => false), '');
  });
});
