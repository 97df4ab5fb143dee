import * as assert from 'node:assert/strict';
import { chunkAround, ContextRing, jaccard } from '../../src/completion/contextRing';

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i}`).join('\n');

describe('ContextRing', () => {
  it('keeps chunks oldest first and says when a chunk changed nothing', () => {
    const ring = new ContextRing({ maxChunks: 4, maxTokens: 10_000, similarity: 0.9 });
    assert.ok(ring.add({ path: 'a.ts', text: lines(5, 'a') }));
    assert.ok(ring.add({ path: 'b.ts', text: lines(5, 'b') }));
    assert.deepEqual(ring.list().map((c) => c.path), ['a.ts', 'b.ts']);
    assert.ok(!ring.add({ path: 'b.ts', text: lines(5, 'b') }), 'the same chunk twice is no change');
    assert.deepEqual(ring.list().map((c) => c.path), ['a.ts', 'b.ts']);
  });

  it('evicts older chunks that the new one mostly repeats (Jaccard of lines)', () => {
    const ring = new ContextRing({ maxChunks: 4, maxTokens: 10_000, similarity: 0.9 });
    const base = Array.from({ length: 20 }, (_, i) => `same ${i}`);
    ring.add({ path: 'a.ts', text: base.join('\n') });
    ring.add({ path: 'c.ts', text: lines(5, 'c') });
    ring.add({ path: 'a.ts', text: [...base, 'one new line'].join('\n') });
    assert.deepEqual(ring.list().map((c) => c.path), ['c.ts', 'a.ts']);
    assert.ok(ring.list()[1].text.includes('one new line'));
  });

  it('is bounded in count and in tokens, dropping the oldest', () => {
    const ring = new ContextRing({ maxChunks: 2, maxTokens: 10_000, similarity: 0.9 });
    for (const t of ['a', 'b', 'c']) ring.add({ path: `${t}.ts`, text: lines(3, t) });
    assert.deepEqual(ring.list().map((c) => c.path), ['b.ts', 'c.ts']);
    const small = new ContextRing({ maxChunks: 10, maxTokens: 10, similarity: 0.9 }); // a chunk here is ~7 tokens
    for (const t of ['a', 'b', 'c']) small.add({ path: `${t}.ts`, text: lines(3, t) });
    assert.deepEqual(small.list().map((c) => c.path), ['c.ts']);
  });

  it('ignores empty chunks', () => {
    assert.ok(!new ContextRing().add({ path: 'x', text: '  \n ' }));
  });

  it('cuts chunks around a line, reading only those lines', () => {
    let reads = 0;
    const doc = { lineCount: 1000, lineAt: (i: number) => (reads++, `L${i}`) };
    const chunk = chunkAround(doc, 500, 64).split('\n');
    assert.equal(chunk.length, 64);
    assert.equal(chunk[0], 'L468');
    assert.equal(reads, 64);
    assert.equal(chunkAround(doc, 2, 64).split('\n')[0], 'L0');
    assert.equal(chunkAround(doc, 999, 64).split('\n').at(-1), 'L999');
  });

  it('jaccard of line sets', () => {
    assert.equal(jaccard(new Set(['a', 'b']), new Set(['b', 'c'])), 1 / 3);
  });
});
