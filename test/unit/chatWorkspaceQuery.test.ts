import * as assert from 'node:assert/strict';
import { chunkAt, mergeChunks } from '../../src/chat/mergeChunks';
import { citationRule, prepareChat, systemPrompt } from '../../src/chat/prepareChat';
import { identifiersIn, mentionsWorkspace, retrievalQuery, withoutMention } from '../../src/chat/workspaceQuery';

const words = (texts: string[]) => Promise.resolve(texts.map((t) => t.split(/\s+/).filter(Boolean).length));

describe('chat @workspace: the question, its identifiers and the chunks sent', () => {
  it('sees @workspace as a word of its own, anywhere, and takes it out of the question', () => {
    for (const t of ['@workspace where is the total computed?', 'where is it @workspace', 'Where?\n@Workspace']) assert.ok(mentionsWorkspace(t), t);
    for (const t of ['me@workspace.com', '@workspaces', '@workspace-x', 'workspace', '']) assert.ok(!mentionsWorkspace(t), t);
    assert.equal(withoutMention('@workspace  where is the total computed?'), 'where is the total computed?');
    assert.equal(withoutMention('where @workspace is it'), 'where is it');
  });

  it('searches the question and the last two earlier questions, newest first', () => {
    assert.equal(retrievalQuery('@workspace and who calls it?', ['first', 'how is the invoice total computed?', '@workspace where is computeTotal']), 'and who calls it?\nwhere is computeTotal\nhow is the invoice total computed?');
    assert.equal(retrievalQuery('@workspace', []), '');
  });

  it('picks code-like identifiers, not English words', () => {
    assert.deepEqual(identifiersIn('Where is computeTotal defined and what does WorkspaceIndexer do?'), ['computeTotal', 'WorkspaceIndexer']);
    assert.deepEqual(identifiersIn('what do parse_config and MAX_RETRIES mean'), ['parse_config', 'MAX_RETRIES']);
    assert.deepEqual(identifiersIn('What does render() return, and `Chat.open(x)`?'), ['render', 'open']);
    assert.deepEqual(identifiersIn('How Does The Index Work? Where is HTML built?'), []);
    assert.deepEqual(identifiersIn('aB fooBar fooBar __init__ a_b_c x_y zzTop'), ['fooBar', 'a_b_c', 'x_y'], 'deduped, at most three, short ones and dunder names skipped');
  });

  it('merges definitions first, drops chunks overlapping one already taken, and stops at the limit', () => {
    const def = { path: '/w/a.ts', startLine: 10, endLine: 20, score: 0 };
    const hits = [
      { path: '/w/a.ts', startLine: 15, endLine: 30, score: 9 },
      { path: '/w/b.ts', startLine: 15, endLine: 30, score: 8 },
      { path: '/w/a.ts', startLine: 21, endLine: 40, score: 7 },
      { path: '/w/c.ts', startLine: 1, endLine: 5, score: 6 },
    ];
    assert.deepEqual(mergeChunks([def], hits, 3), [def, hits[1], hits[2]]);
    assert.deepEqual(mergeChunks([], hits, 10), [hits[0], hits[1], hits[3]]);
  });

  it('finds the smallest indexed chunk of a file that holds a line', () => {
    const hits = [
      { path: '/w/a.ts', startLine: 1, endLine: 100 },
      { path: '/w/b.ts', startLine: 10, endLine: 12 },
      { path: '/w/a.ts', startLine: 10, endLine: 12 },
    ];
    assert.equal(chunkAt(hits, '/w/a.ts', 11), hits[2]);
    assert.equal(chunkAt(hits, '/w/a.ts', 50), hits[0]);
    assert.equal(chunkAt(hits, '/w/c.ts', 11), undefined);
  });

  it('asks the model to cite path:line only when workspace code is attached', async () => {
    const base = { history: [], question: 'q', attachments: [{ id: 'w0', label: 'src/a.ts:3-9', language: 'ts', text: 'const a = 1;' }], windowTokens: 2048, maxAnswerTokens: 128, count: words };
    const cited = await prepareChat({ ...base, cite: true });
    assert.ok(cited.messages[0].content.startsWith(`${systemPrompt} ${citationRule}`));
    assert.match(cited.messages[0].content, /src\/a\.ts:3-9:\n```ts\nconst a = 1;/);
    const plain = await prepareChat(base);
    assert.ok(!plain.messages[0].content.includes(citationRule));
  });
});
