import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testModelPath } from '../../scripts/models/testModels';
import { embedChunks } from '../../src/index/embedChunks';
import type { IndexLimits } from '../../src/index/indexProtocol';
import { IndexWorkerClient } from '../../src/index/indexWorkerClient';
import type { RuntimeClient } from '../../src/runtime/client';
import { createRuntime, repoRoot } from './runtimeFixture';

/**
 * The route the extension takes, with both real workers: the index thread (dist/indexWorker.js)
 * gives chunk texts read again from disk, the model worker (dist/worker.js, fim-deepseek) embeds
 * them, the vectors go back to the index thread, which saves them with the index.
 */
const indexWorker = join(repoRoot, 'dist', 'indexWorker.js');
const limits: IndexLimits = { maxChars: 1e7, maxFileBytes: 1e6 };
const fn = (name: string, words: string) => `export function ${name}(input) {\n  // ${words}\n${'  input = step(input);\n'.repeat(6)}  return input;\n}\n`;

describe('engine: the index embeds its chunks through the model worker', function () {
  let dir: string;
  let runtime: RuntimeClient;
  let embeddedTexts: string[];
  const embed = async (texts: string[], signal: AbortSignal) => {
    embeddedTexts.push(...texts);
    return (await runtime.embed(texts, signal)).vectors;
  };
  const model = 'fim-deepseek';

  before(async () => {
    if (!existsSync(indexWorker)) throw new Error(`${indexWorker} is missing: run "npm run build" first`);
    dir = await mkdtemp(join(tmpdir(), 'sovereign-index-embed-'));
    runtime = createRuntime({ embedding: testModelPath('fim-deepseek') }, { contextSize: 512 });
  });
  after(async () => {
    await runtime?.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds every chunk once, keeps the vectors across a restart, and embeds an edit’s new text only', async () => {
    const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.js`));
    await writeFile(files[0], `${fn('retryRequest', 'send again')}\n${fn('keepAlive', 'ping the server')}`);
    await writeFile(files[1], fn('formatDate', 'print a day'));
    await writeFile(files[2], fn('parseHeader', 'read a header'));
    const storageFile = join(dir, 'storage', 'index.json');

    embeddedTexts = [];
    const first = new IndexWorkerClient(indexWorker);
    try {
      await first.call('open', { storageFile, limits });
      const updated = await first.call('update', { paths: files, complete: true });
      const r = await embedChunks({ index: (k, p) => first.call(k, p), embed, model, batchSize: 2, signal: new AbortController().signal });
      assert.deepEqual(r, { embedded: updated.chunks, cancelled: false });
      assert.equal(new Set(embeddedTexts).size, updated.chunks);
      assert.ok(embeddedTexts.some((t) => t.includes('function formatDate(input)')), 'the chunk text is read back from disk');
      const vector = (await runtime.embed(['print a day'])).vectors[0];
      const hits = await first.call('search', { query: 'print a day', limit: 3, embedded: { model, vector } });
      assert.equal(hits[0].path, files[1]);
      assert.equal((await first.call('search', { query: 'zzz', limit: 3, embedded: { model, vector } })).length, 3, 'the vector ranking alone still answers');
      assert.equal((await first.call('search', { query: 'zzz', limit: 3, embedded: { model: 'another', vector } })).length, 0, 'a query from another model is not compared');
      await first.call('save', {});
    } finally {
      await first.dispose();
    }

    // A new window: the stored index, an edit on disk to one of a.js's two functions.
    await writeFile(files[0], `${fn('retryRequest', 'send again')}\n${fn('keepAlive', 'ping the server every minute')}`);
    embeddedTexts = [];
    const second = new IndexWorkerClient(indexWorker);
    try {
      const opened = await second.call('open', { storageFile, limits });
      assert.equal(opened.vectors, opened.chunks, 'the vectors were stored with the index');
      await second.call('update', { paths: files, complete: true });
      const r = await embedChunks({ index: (k, p) => second.call(k, p), embed, model, batchSize: 2, signal: new AbortController().signal });
      assert.equal(r.embedded, 1, `only the edited function: ${JSON.stringify(embeddedTexts)}`);
      assert.match(embeddedTexts[0], /every minute/);

      // An open document's unsaved text is embedded from that text, not from the disk.
      await second.call('setText', { path: files[2], text: fn('parseHeader', 'unsaved words only here'), version: 2 });
      embeddedTexts = [];
      await embedChunks({ index: (k, p) => second.call(k, p), embed, model, batchSize: 2, signal: new AbortController().signal });
      assert.equal(embeddedTexts.length, 1);
      assert.match(embeddedTexts[0], /unsaved words only here/);

      // Changed on disk since it was indexed (the watcher has not told yet): not embedded from the wrong text.
      await writeFile(files[1], fn('formatDate', 'rewritten behind the index'));
      await second.call('setText', { path: files[1], text: fn('formatDate', 'an edit'), version: 1 });
      await second.call('update', { paths: [files[1]], complete: false }); // back to the disk's text
      await writeFile(files[1], `${fn('formatDate', 'changed again')}\n// more\n`);
      embeddedTexts = [];
      const stale = await embedChunks({ index: (k, p) => second.call(k, p), embed, model, batchSize: 2, signal: new AbortController().signal });
      assert.equal(stale.embedded, 0, `embedded: ${JSON.stringify(embeddedTexts)}`);
    } finally {
      await second.dispose();
    }
  });
});
