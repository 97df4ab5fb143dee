import * as assert from 'node:assert/strict';
import type { Conversation } from '../../src/chat/conversationStore';
import { transcriptOf } from '../../src/chat/transcript';

const conversation = (): Conversation => ({
  id: 'c1',
  title: 'How do I sort?',
  createdAt: 1,
  updatedAt: 1,
  messages: [
    { role: 'user', content: 'How do I sort?', context: ['main.py'] },
    { role: 'assistant', content: 'Use sorted(', stopped: true },
  ],
});

describe('the chat transcript a (re)loading page gets', () => {
  it('is the stored conversation when nothing is being answered', () => {
    assert.deepEqual(transcriptOf(conversation()), [
      { role: 'user', text: 'How do I sort?', context: ['main.py'], stopped: undefined },
      { role: 'assistant', text: 'Use sorted(', context: undefined, stopped: true },
    ]);
  });

  it('ends with the question being answered and what streamed, under the answer id its next chunks carry', () => {
    const entries = transcriptOf(conversation(), { id: 'a7', question: 'And reversed?', context: ['main.py'], text: 'Pass reverse=' });
    assert.equal(entries.length, 4);
    assert.deepEqual(entries.slice(2), [
      { role: 'user', text: 'And reversed?', context: ['main.py'] },
      { role: 'assistant', text: 'Pass reverse=', answering: 'a7' },
    ]);
    assert.equal(entries[1].answering, undefined, 'stored answers are done');
  });

  it('shows a question whose answer has not begun (the model still loading)', () => {
    const entries = transcriptOf({ ...conversation(), messages: [] }, { id: 'a1', question: 'Hello?', text: '' });
    assert.deepEqual(entries, [
      { role: 'user', text: 'Hello?', context: undefined },
      { role: 'assistant', text: '', answering: 'a1' },
    ]);
  });

  it('"Continue": the stored answer goes on, no longer marked as stopped, and the stored conversation is untouched', () => {
    const c = conversation();
    const entries = transcriptOf(c, { id: 'a2', text: 'xs)' });
    assert.equal(entries.length, 2);
    assert.deepEqual(entries[1], { role: 'assistant', text: 'Use sorted(xs)', context: undefined, stopped: undefined, answering: 'a2' });
    assert.equal(c.messages[1].content, 'Use sorted(', 'the conversation stores it only when the answer ends');
  });
});
