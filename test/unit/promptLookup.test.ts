import * as assert from 'node:assert/strict';
import { MAX_DRAFT, PromptLookup } from '../../src/runtime/worker/promptLookup';

describe('prompt lookup drafts (PromptLookup)', () => {
  const prompt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 2, 3, 20, 21, 99];

  it('drafts what followed the last two tokens where they last occur in the prompt', () => {
    const lookup = new PromptLookup(prompt);
    assert.deepEqual(lookup.draft([...prompt, 4, 5]), [6, 7, 8, 9, 10, 11].slice(0, MAX_DRAFT));
    assert.deepEqual(lookup.draft([...prompt, 2, 3]), [20, 21, 99], 'the later occurrence wins');
    assert.deepEqual(lookup.draft([...prompt, 4, 5], 2), [6, 7], 'at most `max`');
  });

  it('drafts nothing without a two-token match or from the prompt matching itself at its end', () => {
    const lookup = new PromptLookup(prompt);
    assert.deepEqual(lookup.draft(prompt), [], 'the tail of the prompt is followed by nothing');
    assert.deepEqual(lookup.draft([...prompt, 7, 5]), []);
    assert.deepEqual(lookup.draft([5]), []);
    assert.deepEqual(lookup.draft([...prompt, 4, 5], 0), []);
  });
});
