import * as assert from 'node:assert/strict';
import { ConversationStore, maxConversations, titleOf, type MementoLike } from '../../src/chat/conversationStore';
import { TokenCountCache } from '../../src/chat/tokenCountCache';

class Memory implements MementoLike {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  update(key: string, value: unknown): Promise<void> {
    this.data.set(key, structuredClone(value));
    return Promise.resolve();
  }
}

describe('chat conversations kept per workspace', () => {
  it('saves, lists newest first, reopens and deletes', async () => {
    let now = 1000;
    const store = new ConversationStore(new Memory(), () => now);
    const a = store.create();
    a.messages.push({ role: 'user', content: 'How do I sort a list in Python?' }, { role: 'assistant', content: 'Use sorted().' });
    await store.save(a);
    now = 2000;
    const b = store.create();
    b.messages.push({ role: 'user', content: 'Explain this regex', context: ['src/re.ts'] });
    await store.save(b);

    assert.deepEqual(store.list().map((c) => c.title), ['Explain this regex', 'How do I sort a list in Python?']);
    assert.deepEqual(store.get(a.id)?.messages.map((m) => m.content), ['How do I sort a list in Python?', 'Use sorted().']);
    assert.deepEqual(store.get(b.id)?.messages[0].context, ['src/re.ts']);

    await store.delete(a.id);
    assert.deepEqual(store.list().map((c) => c.id), [b.id]);
  });

  it('does not keep empty chats, and forgets the oldest beyond the limit', async () => {
    let now = 0;
    const store = new ConversationStore(new Memory(), () => ++now);
    await store.save(store.create());
    assert.equal(store.list().length, 0);
    for (let i = 0; i < maxConversations + 5; i++) {
      const c = store.create();
      c.messages.push({ role: 'user', content: `q${i}` });
      await store.save(c);
    }
    assert.equal(store.list().length, maxConversations);
    assert.equal(store.list()[0].title, `q${maxConversations + 4}`);
  });

  it('survives garbage in storage', () => {
    const memory = new Memory();
    memory.data.set('sovereign.chat.conversations', [{ nope: true }, 'x', null]);
    assert.deepEqual(new ConversationStore(memory).list(), []);
  });

  it('titles are one short line', () => {
    assert.equal(titleOf('  two\nlines  '), 'two lines');
    assert.equal(titleOf('x'.repeat(100)).length, 60);
    assert.equal(titleOf(''), 'New chat');
  });
});

describe('token count cache', () => {
  it('counts only texts it has not seen, and forgets them when the model changes', async () => {
    const asked: string[][] = [];
    const count = (t: string[]) => {
      asked.push(t);
      return Promise.resolve(t.map((s) => s.length));
    };
    const cache = new TokenCountCache(2);
    assert.deepEqual(await cache.count(['aa', 'bbb', 'aa'], count, 'm1'), [2, 3, 2]);
    assert.deepEqual(await cache.count(['bbb'], count, 'm1'), [3]);
    assert.deepEqual(asked, [['aa', 'bbb']]);
    await cache.count(['bbb'], count, 'm2');
    assert.deepEqual(asked.at(-1), ['bbb']);
    assert.deepEqual(await cache.count(['a', 'b', 'c', 'd'], count, 'm2'), [1, 1, 1, 1], 'more texts than capacity still answer');
  });
});
