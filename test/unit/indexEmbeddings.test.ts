import * as assert from 'node:assert/strict';
import { chunkCode } from '../../src/index/chunkCode';
import { chunkHash } from '../../src/index/chunkHash';
import { CodeIndex } from '../../src/index/codeIndex';
import { embedChunks } from '../../src/index/embedChunks';
import type { IndexCalls } from '../../src/index/indexProtocol';
import { VectorStore } from '../../src/index/vectorStore';
import { modelLoadSettings } from '../../src/config/runtimeSettings';
import { unit } from '../../src/runtime/worker/embedder';
import { TableSettings } from './tableSettings';

/** A function long enough to stay a chunk of its own (short neighbours are merged). */
const fn = (name: string, bodyWords: string) => `function ${name}(input) {\n  // ${bodyWords}\n${'  input = step(input);\n'.repeat(6)}  return input;\n}\n`;

/** A deterministic stand-in for an embedding model: a unit vector from the text's words. */
function fakeEmbed(text: string, dims = 16): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    let h = 7;
    for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    v[h % dims] += 1;
  }
  return unit(v);
}

/** Seeded unit vectors. */
function randomUnit(seed: number, dims: number): number[] {
  let s = seed >>> 0 || 1;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32 - 0.5);
  return unit(Array.from({ length: dims }, next));
}

describe('VectorStore (int8 vectors by chunk hash)', () => {
  it('keeps each query’s nearest neighbour through int8 quantization, and through JSON', () => {
    const store = new VectorStore();
    store.useModel('m');
    const dims = 64;
    const floats = Array.from({ length: 200 }, (_, i) => randomUnit(i + 1, dims));
    floats.forEach((v, i) => store.set(`h${i}`, v));
    const loaded = VectorStore.fromJSON(store.toJSON(new Set(floats.map((_, i) => `h${i}`))));
    for (let q = 0; q < 20; q++) {
      const query = randomUnit(1000 + q, dims);
      const exact = floats.map((v, i) => ({ i, s: v.reduce((a, x, k) => a + x * query[k], 0) })).sort((a, b) => b.s - a.s)[0];
      for (const s of [store, loaded]) {
        const sims = floats.map((_, i) => s.similarity(`h${i}`, query)!);
        const best = sims.indexOf(Math.max(...sims));
        assert.equal(best, exact.i, `query ${q}`);
        assert.ok(Math.abs(sims[best] - exact.s) < 0.02, `cosine ${sims[best]} vs ${exact.s}`);
      }
    }
  });

  it('drops another model’s vectors, refuses a vector of another length, keeps an empty one as embedded', () => {
    const store = new VectorStore();
    store.useModel('a');
    assert.equal(store.set('x', randomUnit(1, 8)), true);
    assert.equal(store.set('y', randomUnit(2, 9)), false);
    assert.equal(store.set('empty', []), true);
    assert.ok(store.has('empty'));
    assert.equal(store.similarity('empty', randomUnit(3, 8)), undefined);
    store.useModel('a');
    assert.equal(store.size, 2);
    store.useModel('b');
    assert.equal(store.size, 0);
  });
});

describe('CodeIndex with vectors: fusion and resume', () => {
  const files: Record<string, string> = {
    'a.js': fn('retryRequest', 'send the request again after a pause'),
    'b.js': fn('formatDate', 'print a calendar day'),
    'c.js': fn('parseHeader', 'read the header value'),
  };
  const texts = new Map<string, string>();
  for (const text of Object.values(files)) for (const c of chunkCode(text)) texts.set(chunkHash(c.text), c.text);

  function indexed(): CodeIndex {
    const index = new CodeIndex({ maxChars: 1e6 });
    for (const [path, text] of Object.entries(files)) index.setFile(path, text, '1');
    return index;
  }

  function embedAll(index: CodeIndex, model = 'm'): void {
    const { files: pending } = index.unembedded(model, 1000);
    index.setVectors(model, pending.flatMap((f) => f.chunks.map((c) => ({ hash: c.hash, vector: fakeEmbed(texts.get(c.hash)!) }))));
  }

  it('a query that shares no word with a chunk finds it by its vector once fused, and ranks a chunk found both ways first', () => {
    const index = indexed();
    embedAll(index);
    // "calendar" is only in b.js; the vector is built to be b.js's own, the words match a.js.
    const query = 'request again';
    assert.deepEqual(index.search(query, 3).map((h) => h.path), ['a.js']);
    const bVector = fakeEmbed(files['b.js']);
    const fused = index.search(query, 3, 'symbols', bVector).map((h) => h.path);
    assert.deepEqual(fused.slice(0, 2).sort(), ['a.js', 'b.js'], 'both rankings’ tops are in');
    const aVector = fakeEmbed(files['a.js']);
    assert.equal(index.search(query, 3, 'symbols', aVector)[0].path, 'a.js', 'first in both lists: first fused');
    assert.deepEqual(index.search(query, 3, 'symbols', undefined), index.search(query, 3), 'no vector: lexical as before');
    assert.deepEqual(index.search(query, 3, 'symbols', [1, 0]).map((h) => h.path), ['a.js'], 'a vector of another length is ignored');
  });

  it('asks only for chunks without a vector; vectors survive a save and load; an edit asks only for the changed chunk', () => {
    const index = indexed();
    const first = index.unembedded('m', 1);
    assert.equal(first.remaining, 3);
    assert.equal(first.files.flatMap((f) => f.chunks).length, 1);
    embedAll(index);
    assert.equal(index.unembedded('m', 10).remaining, 0);
    assert.equal(index.stats.vectors, 3);

    const loaded = CodeIndex.deserialize(index.serialize(), { maxChars: 1e6 })!;
    assert.equal(loaded.unembedded('m', 10).remaining, 0, 'a restart does not embed again');
    assert.equal(loaded.stats.vectors, 3);
    assert.deepEqual(loaded.search('request', 3, 'symbols', fakeEmbed(files['b.js'])), index.search('request', 3, 'symbols', fakeEmbed(files['b.js'])));

    // One of two functions in a file changes: only its chunk is new text.
    const two = `${fn('keepMe', 'stays the same')}\n${fn('changeMe', 'old body')}`;
    loaded.setFile('d.js', two, '1');
    for (const c of chunkCode(two)) texts.set(chunkHash(c.text), c.text);
    embedAll(loaded);
    loaded.setFile('d.js', two.replace('old body', 'new body'), '2');
    const pending = loaded.unembedded('m', 10);
    assert.equal(pending.remaining, 1);
    assert.equal(pending.files[0].path, 'd.js');
    assert.equal(pending.files[0].chunks[0].startLine, two.split('\n').indexOf('function changeMe(input) {') + 1);
  });

  it('another embedding model asks for every chunk again', () => {
    const index = indexed();
    embedAll(index, 'm1');
    assert.equal(index.unembedded('m2', 10).remaining, 3);
    assert.equal(index.stats.vectors, 0);
  });
});

describe('embedChunks (one resumable embedding pass)', () => {
  /** The index worker's two calls over an in-memory index (texts kept aside, as the worker reads them from disk). */
  function fakeWorker(index: CodeIndex, texts: Map<string, string>) {
    return async <K extends 'unembedded' | 'storeVectors'>(kind: K, params: IndexCalls[K]['params']): Promise<IndexCalls[K]['result']> => {
      if (kind === 'unembedded') {
        const p = params as IndexCalls['unembedded']['params'];
        const { files, remaining } = index.unembedded(p.model, p.limit);
        return { chunks: files.flatMap((f) => f.chunks.map((c) => ({ hash: c.hash, text: texts.get(c.hash)! }))), remaining } as IndexCalls[K]['result'];
      }
      const p = params as IndexCalls['storeVectors']['params'];
      index.setVectors(p.model, p.vectors);
      return { ...index.stats, partial: false } as IndexCalls[K]['result'];
    };
  }

  it('stopped midway, the next pass embeds only what is left: every chunk exactly once', async () => {
    const index = new CodeIndex({ maxChars: 1e7 });
    const texts = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const text = fn(`handler${i}`, `case number ${i}`);
      index.setFile(`f${i}.js`, text, '1');
      for (const c of chunkCode(text)) texts.set(chunkHash(c.text), c.text);
    }
    const seen: string[] = [];
    const abort = new AbortController();
    const embed = async (batch: string[]) => {
      seen.push(...batch);
      if (seen.length >= 12) abort.abort(); // a stop while the third batch is embedded
      return batch.map((t) => fakeEmbed(t));
    };
    const first = await embedChunks({ index: fakeWorker(index, texts), embed, model: 'm', batchSize: 4, signal: abort.signal });
    assert.equal(first.cancelled, true);
    assert.equal(first.embedded, 12, 'the batch in flight at the stop is kept');

    // As after a restart: the stored index, a new pass.
    const reloaded = CodeIndex.deserialize(index.serialize(), { maxChars: 1e7 })!;
    const progress: number[] = [];
    const second = await embedChunks({ index: fakeWorker(reloaded, texts), embed: async (b) => embed(b), model: 'm', batchSize: 4, signal: new AbortController().signal, onProgress: (_, remaining) => progress.push(remaining) });
    assert.deepEqual(second, { embedded: 28, cancelled: false });
    assert.equal(seen.length, 40);
    assert.equal(new Set(seen).size, 40, 'no chunk embedded twice');
    assert.equal(progress[0], 28);
    assert.equal(progress.at(-1), 0);
    assert.equal(reloaded.stats.vectors, 40);
  });

  it('fails loudly when the model answers with fewer vectors than texts', async () => {
    const index = new CodeIndex({ maxChars: 1e6 });
    const text = fn('one', 'two');
    index.setFile('a.js', text, '1');
    const texts = new Map(chunkCode(text).map((c) => [chunkHash(c.text), c.text]));
    await assert.rejects(embedChunks({ index: fakeWorker(index, texts), embed: async () => [], model: 'm', batchSize: 4, signal: new AbortController().signal }), /0 vectors for 1 texts/);
  });
});

describe('embedding model setting', () => {
  it('is off unless set: SOVEREIGN_MODEL serves completion and chat, never embeddings', () => {
    const settings = new TableSettings({});
    assert.equal(modelLoadSettings(settings, 'embedding', { SOVEREIGN_MODEL: '/m.gguf' }), undefined);
    assert.equal(modelLoadSettings(settings, 'chat', { SOVEREIGN_MODEL: '/m.gguf' })?.path, '/m.gguf');
    const set = new TableSettings({ 'embedding.modelPath': '/e.gguf' });
    assert.equal(modelLoadSettings(set, 'embedding', {})?.path, '/e.gguf');
  });
});
