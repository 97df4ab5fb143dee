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

  it('indentation: a dedented line of only closing brackets is the block\'s last line, kept', () => {
    const rules = { ...off, indent: 4 };
    assert.equal(checkStop('f(a);\n  });', rules, 0), undefined, 'judged once the line is complete');
    assert.deepEqual(checkStop('f(a);\n  });\n  g(', rules, 0), { reason: 'indent', text: 'f(a);\n  });' });
    assert.deepEqual(checkStop('f(a);\n  }\n}\n', rules, 0), { reason: 'indent', text: 'f(a);\n  }' }, 'one closing line, not the next');
    assert.deepEqual(checkStop('f(a);\n  } else {', rules, 0), { reason: 'indent', text: 'f(a);' }, 'a line that goes on past its closers ends the block as before');
  });

  // It used to cut back to the last line break, dropping the line in progress: bench:quality's
  // oracle measured that as correct text lost and no wrong text removed (issue 13).
  it('time budget: once it has run out, the line in progress is finished and ends at its line break', () => {
    const rules = { ...off, timeBudgetMs: 500 };
    assert.equal(checkStop('a\nb', rules, 499, 2), undefined);
    assert.equal(checkStop('abc', rules, 5000, 2), undefined, 'no line break yet: go on to the next one');
    assert.equal(checkStop('a\nb\nc', rules, 500, 4), undefined, 'the line "c" is being written: go on');
    assert.deepEqual(checkStop('a\nb\ncd\n  e', rules, 520, 5), { reason: 'timeBudget', text: 'a\nb\ncd' }, 'the next line break ends it');
    assert.deepEqual(checkStop('a\nb\n', rules, 500, 3), { reason: 'timeBudget', text: 'a\nb' });
  });
});
