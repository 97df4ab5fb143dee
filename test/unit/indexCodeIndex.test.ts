import * as assert from 'node:assert/strict';
import { CodeIndex } from '../../src/index/codeIndex';
import { fuseRankings } from '../../src/index/fuseRankings';

/** A function long enough to stay a chunk of its own (short neighbours are merged). */
const fn = (name: string, bodyWords: string) => `function ${name}(input) {\n  // ${bodyWords}\n${'  input = step(input);\n'.repeat(6)}  return input;\n}\n`;

describe('CodeIndex', () => {
  it('finds a chunk by the parts of a camelCase identifier and cites file:line', () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    const a = ['// header', '', fn('formatDate', 'prints a day'), fn('parseRetryHeader', 'reads the header value')].join('\n');
    index.setFile('src/a.ts', a, 's1');
    index.setFile('src/b.ts', fn('unrelated', 'nothing here'), 's1');
    const [top] = index.search('parse retry', 5);
    assert.equal(top.path, 'src/a.ts');
    assert.ok(top.symbols.includes('parseRetryHeader'));
    assert.equal(top.startLine, a.split('\n').indexOf('function parseRetryHeader(input) {') + 1);
  });

  it('replaces a file\'s chunks when its content changes and drops them when it is removed', () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    index.setFile('a.js', fn('alpha', 'old words'), '1');
    assert.equal(index.setFile('a.js', fn('alpha', 'old words'), '1'), 'unchanged');
    index.setFile('a.js', fn('beta', 'new words'), '2');
    assert.equal(index.search('alpha', 5).length, 0);
    assert.equal(index.search('beta', 5)[0].path, 'a.js');
    assert.equal(index.stats.files, 1);
    index.removeFile('a.js');
    assert.equal(index.search('beta', 5).length, 0);
    assert.deepEqual(index.stats, { files: 0, chunks: 0, chars: 0, refused: 0, vectors: 0 });
  });

  it('ranks the chunk that declares a name above one that only uses it, with the symbols boost', () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    const user = 'function caller() {\n  const a = computeTotal(x);\n  const b = computeTotal(y);\n  return computeTotal(a) + computeTotal(b);\n}\n';
    index.setFile('use.js', user, '1');
    index.setFile('def.js', 'function computeTotal(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n', '1');
    assert.equal(index.search('computeTotal', 2, 'lexical')[0].path, 'use.js', 'more mentions win lexically');
    assert.equal(index.search('computeTotal', 2, 'symbols')[0].path, 'def.js');
  });

  it('refuses files past the memory cap, says it is partial, and recovers when room is made', () => {
    const index = new CodeIndex({ maxChars: 100 });
    assert.equal(index.setFile('a.js', 'x'.repeat(60), '1'), 'indexed');
    assert.equal(index.setFile('b.js', 'y'.repeat(60), '1'), 'overCap');
    assert.ok(index.partial);
    assert.deepEqual(index.refusedFiles(), ['b.js']);
    index.removeFile('a.js');
    assert.equal(index.setFile('b.js', 'y'.repeat(60), '1'), 'indexed');
    assert.ok(!index.partial);
  });

  it('serializes and loads back with the same answers and stamps', () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    index.setFile('a.js', fn('loadConfig', 'reads settings json'), 'm1');
    index.setFile('b.js', fn('saveConfig', 'writes settings json'), 'm2');
    index.removeFile('b.js');
    index.setFile('c.js', fn('watchFiles', 'file watcher'), 'm3');
    const loaded = CodeIndex.deserialize(index.serialize(), { maxChars: 1e6 })!;
    assert.deepEqual(loaded.search('settings config', 5), index.search('settings config', 5));
    assert.equal(loaded.stampOf('c.js'), 'm3');
    assert.equal(loaded.stampOf('b.js'), undefined);
    loaded.setFile('d.js', fn('newThing', 'added after load'), 'm4');
    assert.equal(loaded.search('newThing', 1)[0].path, 'd.js', 'ids after a load do not collide');
    assert.equal(loaded.search('watchFiles', 1)[0].path, 'c.js');
  });

  it('past its size, drops query words most chunks hold, keeping the rarest', () => {
    const index = new CodeIndex({ maxChars: 1e6, pruneFromChunks: 0 });
    for (let i = 0; i < 10; i++) index.setFile(`f${i}.js`, fn(`handler${i}`, i === 3 ? 'common rare' : 'common'), '1');
    assert.deepEqual(index.search('common rare', 10).map((h) => h.path), ['f3.js']);
    assert.equal(index.search('common', 10).length, 10, 'a lone common word stays');
    const small = new CodeIndex({ maxChars: 1e6 });
    for (let i = 0; i < 10; i++) small.setFile(`f${i}.js`, fn(`handler${i}`, i === 3 ? 'common rare' : 'common'), '1');
    assert.equal(small.search('common rare', 10).length, 10, 'a small index keeps every word');
  });

  it('loads nothing written with another chunking', () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    index.setFile('a.js', fn('a', 'b'), '1');
    assert.equal(CodeIndex.deserialize(index.serialize(), { maxChars: 1e6, chunking: { maxLines: 10, windowLines: 5, overlapLines: 1, minLines: 1 } }), undefined);
  });
});

describe('fuseRankings', () => {
  it('puts first what both lists rank high', () => {
    assert.deepEqual(fuseRankings([[1, 2, 3], [2, 4, 1]]), [2, 1, 4, 3]);
  });
});
