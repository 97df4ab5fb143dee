import * as assert from 'node:assert/strict';
import { chunkAround, ContextRing, maxChunkChars } from '../../src/completion/contextRing';

describe('binary and oversized text never enter the completion context', () => {
  it('the ring refuses a binary chunk', () => {
    const ring = new ContextRing();
    assert.ok(!ring.add({ path: 'image.png', text: 'header\n\0\0\x01\x02rest' }));
    assert.deepEqual(ring.list(), []);
  });

  it('the ring cuts a chunk to its longest size: a 5 MB copy or line cannot fill a prompt', () => {
    const ring = new ContextRing();
    ring.add({ path: 'big.min.js', text: 'var a=1;'.repeat(655_360) });
    assert.equal(ring.list()[0].text.length, maxChunkChars);
  });

  it('a chunk cut from a file with a 5 MB line reads a slice of it only', () => {
    const line = 'x'.repeat(5 * 1024 * 1024);
    const chunk = chunkAround({ lineCount: 3, lineAt: (i) => (i === 1 ? line : `line ${i}`) }, 0, 64);
    assert.equal(chunk.length, maxChunkChars);
    assert.ok(chunk.startsWith('line 0\nxxx'));
  });
});
