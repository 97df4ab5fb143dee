import * as assert from 'node:assert/strict';
import { chunkCode } from '../../src/index/chunkCode';

const body = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `  step_${tag}(${i});`).join('\n');

describe('chunkCode', () => {
  it('gives each top-level function its own chunk, with the doc comment above it, at the right lines', () => {
    // A doc comment long enough to be no short neighbour that merging would absorb anyway.
    const doc = ['/**', ' * Adds the numbers.', ' *', ' * Both are numbers; the sum is too.', ' *', ' * @param x the first', ' * @param y the second', ' */'];
    const text = ["import { a } from 'a';", '', ...doc, '', 'export function add(x, y) {', body(8, 'add'), '}', '', 'function sub(x, y) {', body(8, 'sub'), '}', ''].join('\n');
    const chunks = chunkCode(text);
    const add = chunks.find((c) => c.symbols.includes('add'))!;
    const sub = chunks.find((c) => c.symbols.includes('sub'))!;
    assert.ok(add.text.includes(' * Adds the numbers') && add.text.includes('export function add'), add.text);
    assert.ok(!add.text.includes('function sub'));
    assert.equal(sub.startLine, 23);
    assert.equal(sub.endLine, 32);
    assert.equal(text.split('\n')[sub.startLine - 1], 'function sub(x, y) {');
    assert.equal(text.split('\n')[sub.endLine - 1], '}');
    // Every chunk's text is exactly its lines.
    for (const c of chunks) assert.equal(c.text, text.split('\n').slice(c.startLine - 1, c.endLine).join('\n'));
  });

  it('cuts a large class at its methods, keeping the class name on each', () => {
    const methods = Array.from({ length: 4 }, (_, m) => [`  method${m}(arg) {`, body(30, `m${m}`).replace(/^/gm, '  '), '  }', ''].join('\n')).join('\n');
    const text = ['class Big {', methods, '}'].join('\n');
    const chunks = chunkCode(text);
    for (let m = 0; m < 4; m++) {
      const c = chunks.find((x) => x.symbols.includes(`method${m}`));
      assert.ok(c, `method${m} has a chunk`);
      assert.ok(c.symbols.includes('Big'));
      assert.ok(c.endLine - c.startLine < 40, 'one method, not the class');
    }
  });

  it('cuts what has no declarations into overlapping windows that cover every line', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const chunks = chunkCode(text, { maxLines: 80, windowLines: 50, overlapLines: 10, minLines: 6 });
    assert.ok(chunks.length >= 4);
    for (let k = 1; k < chunks.length; k++) assert.equal(chunks[k - 1].endLine - chunks[k].startLine + 1, 10, 'neighbours share 10 lines');
    assert.equal(chunks[0].startLine, 1);
    assert.equal(chunks[chunks.length - 1].endLine, 200);
  });

  it('windows a long function and merges short neighbours (imports) into one chunk', () => {
    const imports = Array.from({ length: 5 }, (_, i) => `const m${i} = require('m${i}');`).join('\n');
    const text = [imports, '', 'function long() {', body(150, 'l'), '}'].join('\n');
    const chunks = chunkCode(text);
    assert.equal(chunks.filter((c) => c.text.includes('require(')).length, 1);
    const windows = chunks.filter((c) => c.symbols.includes('long'));
    assert.ok(windows.length >= 3, 'the long function is several windows');
    assert.ok(windows.every((w) => w.endLine - w.startLine + 1 <= 80));
  });

  it('cuts Python at def and class by indentation', () => {
    const text = ['import os', '', 'class Store:', '    def get(self, key):', body(10, 'g').replace(/^/gm, '    '), '', 'def main():', body(10, 'm').replace(/^/gm, '  '), ''].join('\n');
    const chunks = chunkCode(text);
    const main = chunks.find((c) => c.symbols.includes('main'))!;
    assert.ok(main.text.startsWith('def main():'));
    assert.ok(!main.text.includes('class Store'));
  });
});
