import * as assert from 'node:assert/strict';
import { SuggestionCache } from '../../src/completion/suggestionCache';

describe('SuggestionCache', () => {
  it('returns the suggestion for the same position', () => {
    const c = new SuggestionCache();
    c.set('def f(', ')\n', 'x, y');
    assert.deepEqual(c.get('def f(', ')\n'), { text: 'x, y', typedThrough: 0 });
    assert.equal(c.get('def f(', ''), undefined, 'another suffix is another position');
  });

  it('type-through: returns the rest while the typed text matches the suggestion', () => {
    const c = new SuggestionCache();
    c.set('x = ', '\n', 'compute(1, 2)');
    assert.deepEqual(c.get('x = comp', '\n'), { text: 'ute(1, 2)', typedThrough: 4 });
    assert.equal(c.get('x = cong', '\n'), undefined, 'a typo ends it');
    assert.equal(c.get('x = compute(1, 2)', '\n'), undefined, 'nothing left to show');
  });

  it('looks back at most maxTypeThrough characters', () => {
    const c = new SuggestionCache(10, 3);
    c.set('a', '', 'bcdef');
    assert.ok(c.get('abcd', ''));
    assert.equal(c.get('abcde', ''), undefined);
  });

  it('evicts the least recently used entry', () => {
    const c = new SuggestionCache(2);
    c.set('a', '', '1');
    c.set('b', '', '2');
    c.get('a', '');
    c.set('c', '', '3');
    assert.ok(c.get('a', ''));
    assert.equal(c.get('b', ''), undefined);
    assert.equal(c.size, 2);
  });
});
