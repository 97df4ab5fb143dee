import * as assert from 'node:assert/strict';
import { checkStop } from '../../src/runtime/worker/generationStops';

const off = { singleLine: false, indent: 0, timeBudgetMs: 0 };

describe('generation stops', () => {
  it('goes on while nothing applies', () => {
    assert.equal(checkStop('abc', off, 10_000), undefined);
    assert.equal(checkStop('a\nb\n', off, 10_000), undefined);
  });

  it('single line: stops at the first line break', () => {
    assert.deepEqual(checkStop('x + 1\ny', { ...off, singleLine: true }, 0), { reason: 'singleLine', text: 'x + 1' });
    assert.equal(checkStop('x + 1', { ...off, singleLine: true }, 0), undefined);
  });

  it('indentation: a later line indented less than the cursor line ends the block', () => {
    const rules = { ...off, indent: 4 };
    assert.equal(checkStop('x = 1\n    y = 2\n', rules, 0), undefined);
    assert.equal(checkStop('x = 1\n\n    y', rules, 0), undefined, 'blank lines do not count');
    assert.equal(checkStop('x = 1\n  ', rules, 0), undefined, 'judged once the first visible character is known');
    assert.deepEqual(checkStop('x = 1\n    y = 2\ndef g', rules, 0), { reason: 'indent', text: 'x = 1\n    y = 2' });
  });

  it('time budget: once it has run out, stops at the last line break', () => {
    const rules = { ...off, timeBudgetMs: 500 };
    assert.equal(checkStop('a\nb', rules, 499), undefined);
    assert.equal(checkStop('abc', rules, 5000), undefined, 'no line break yet: go on to the next one');
    assert.deepEqual(checkStop('a\nb\nc', rules, 500), { reason: 'timeBudget', text: 'a\nb' });
  });
});
