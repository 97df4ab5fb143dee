import * as assert from 'node:assert/strict';
import { chipCount } from '../../src/chat/attachmentWording';
import { attachmentBlock, estimateTokenCounts, prepareChat, systemPrompt } from '../../src/chat/prepareChat';
import type { ChatMessage } from '../../src/runtime/protocol';

/** One token per word: easy to reason about, and like a real tokenizer it is not chars/4. */
const words = (texts: string[]) => Promise.resolve(texts.map((t) => t.split(/\s+/).filter(Boolean).length));

describe('chat prompt assembly', () => {
  it('puts attached context in the system message and the question last', async () => {
    const p = await prepareChat({
      history: [],
      question: 'What does add do?',
      attachments: [{ id: 'f', label: 'src/math.ts', language: 'ts', text: 'export const add = (a, b) => a + b;' }],
      windowTokens: 2048,
      maxAnswerTokens: 256,
      count: words,
    });
    assert.equal(p.ok, true);
    assert.equal(p.messages[0].role, 'system');
    assert.ok(p.messages[0].content.startsWith(systemPrompt));
    assert.match(p.messages[0].content, /src\/math\.ts:\n```ts\nexport const add/);
    assert.deepEqual(p.messages.at(-1), { role: 'user', content: 'What does add do?' });
    assert.equal(p.attachments[0].state, 'whole');
    assert.equal(p.maxTokens, 256);
  });

  it('trims a long conversation oldest first, with a note, and the result fits', async () => {
    const history: ChatMessage[] = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} ${'word '.repeat(30)}` }));
    const p = await prepareChat({ history, question: 'and now?', attachments: [], windowTokens: 512, maxAnswerTokens: 64, count: words });
    assert.ok(p.droppedMessages > 0);
    assert.ok(p.messages.some((m) => m.content.startsWith('message 39 ')), 'the newest turn is kept');
    assert.ok(!p.messages.some((m) => m.content.startsWith('message 0 ')), 'the oldest turn is gone');
    assert.match(p.notes.join('\n'), /earlier messages .* left out/);
    const sent = (await words(p.messages.map((m) => m.content))).reduce((a, b) => a + b, 0);
    assert.ok(sent + p.maxTokens <= 512, `${sent} prompt + ${p.maxTokens} answer tokens fit 512`);
  });

  it('cuts a huge attachment at a line end, says so inside the block and in a note', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} of the log`).join('\n');
    const p = await prepareChat({ history: [], question: 'why?', attachments: [{ id: 'b', label: 'big.log', language: '', text }], windowTokens: 1024, maxAnswerTokens: 128, count: words });
    const report = p.attachments[0];
    assert.equal(report.state, 'trimmed');
    assert.ok(report.sentTokens < report.tokens);
    assert.match(p.messages[0].content, /… \(trimmed: the first [\d,]+ lines fit the context window\)\n```$/);
    assert.match(p.messages[0].content, /line \d+ of the log\n…/, 'cut at a line end');
    assert.match(p.notes.join('\n'), /big\.log was trimmed/);
    const [systemTokens] = await words([p.messages[0].content]);
    assert.ok(systemTokens + p.maxTokens <= 1024);
  });

  it('the note gives the tokens actually sent, the number the chip shows (was: the room before the cut)', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => `const value${i} = compute(${i});`).join('\n');
    const added = { id: 'p1', label: 'added.ts', language: 'ts', text: 'export const x = 1;' };
    const active = { id: 'active', label: 'big.ts', language: 'ts', text, automatic: true };
    const p = await prepareChat({ history: [], question: 'what is this?', attachments: [active, added], windowTokens: 4096, maxAnswerTokens: 1024, count: words });
    const [big, small] = p.attachments;
    assert.equal(small.state, 'whole');
    assert.equal(big.state, 'trimmed');
    const note = p.notes.find((n) => n.startsWith('big.ts'));
    assert.equal(note, `big.ts was trimmed to its first ${big.sentTokens.toLocaleString('en-US')} of ${big.tokens.toLocaleString('en-US')} tokens to fit the context window.`);
    assert.equal(chipCount({ ...big }), `trimmed to ${big.sentTokens.toLocaleString('en-US')} of ${big.tokens.toLocaleString('en-US')} tokens`);
  });

  it('a fence inside attached Markdown cannot close the attachment block early', () => {
    const block = attachmentBlock({ label: 'README.md', language: 'md', text: 'a\n```js\nx\n```\nb' });
    assert.ok(block.includes('````md\n'));
    assert.ok(block.endsWith('\n````'));
  });

  it('estimates are chars/4 (shown as such until the model is loaded)', async () => {
    assert.deepEqual(await estimateTokenCounts(['abcd', 'abcde', '']), [1, 2, 0]);
  });
});
