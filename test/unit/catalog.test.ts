import * as assert from 'node:assert/strict';
import { PRESETS, fits, presetsFor, recommend, type Hardware } from '../../src/models/catalog';

const GB = 1024 ** 3;

const machine = (over: Partial<Hardware>): Hardware => ({
  gpu: 'cpu',
  vramTotalBytes: 0,
  vramFreeBytes: 0,
  unifiedMemory: false,
  ramTotalBytes: 16 * GB,
  ramFreeBytes: 12 * GB,
  cpuCores: 8,
  threadPool: 1,
  ...over,
});

describe('catalog: presets', () => {
  it('every preset has an hf:<user>/<repo>/<file>.gguf URI whose file is its file name', () => {
    for (const p of PRESETS) {
      const m = /^hf:([^/]+)\/([^/]+)\/(.+\.gguf)$/.exec(p.uri);
      assert.ok(m, `${p.id}: ${p.uri}`);
      assert.equal(m[3], p.fileName);
      assert.ok(p.memoryBytes > p.fileBytes, `${p.id} needs more memory than its file`);
    }
  });

  it('ids are unique; completion has the four Qwen2.5-Coder base tiers and the alternatives; chat the instruct tiers', () => {
    assert.equal(new Set(PRESETS.map((p) => p.id)).size, PRESETS.length);
    const completion = presetsFor('completion');
    assert.deepEqual(completion.filter((p) => !p.alternative).map((p) => p.label), [
      'Qwen2.5-Coder 0.5B (Q8_0)', 'Qwen2.5-Coder 1.5B (Q8_0)', 'Qwen2.5-Coder 3B (Q8_0)', 'Qwen2.5-Coder 7B (Q8_0)',
    ]);
    assert.deepEqual(completion.filter((p) => p.alternative).map((p) => p.id), ['deepseek-coder-1.3b-base-q8_0', 'deepseek-coder-6.7b-base-q8_0', 'starcoder2-3b-q8_0']);
    assert.ok(presetsFor('chat').every((p) => /Instruct/.test(p.label) && /instruct/i.test(p.fileName)));
    assert.ok(completion.every((p) => !/instruct/i.test(p.fileName)), 'an instruct model cannot complete code well');
  });
});

describe('catalog: recommend(hardware)', () => {
  it('a small CPU-only machine (2 cores, 8 GB) gets the 0.5B base and the 0.5B instruct', () => {
    const r = recommend(machine({ cpuCores: 2, ramTotalBytes: 8 * GB }));
    assert.equal(r.completion.id, 'qwen2.5-coder-0.5b-q8_0');
    assert.equal(r.chat.id, 'qwen2.5-coder-0.5b-instruct-q8_0');
    assert.match(r.reason, /no GPU; 2 CPU cores/);
  });

  it('a big CPU-only machine (8 cores, 16 GB) gets the 1.5B', () => {
    assert.equal(recommend(machine({ cpuCores: 8, ramTotalBytes: 16 * GB })).completion.id, 'qwen2.5-coder-1.5b-q8_0');
  });

  it('VRAM tiers: <8 GB → 1.5B, <16 GB → 3B, ≥16 GB → 7B; chat is the matching instruct tier', () => {
    const gpu = (vram: number) => recommend(machine({ gpu: 'cuda', vramTotalBytes: vram * GB, vramFreeBytes: vram * GB, ramTotalBytes: 32 * GB }));
    assert.equal(gpu(6).completion.id, 'qwen2.5-coder-1.5b-q8_0');
    assert.equal(gpu(6).chat.id, 'qwen2.5-coder-1.5b-instruct-q8_0');
    assert.equal(gpu(12).completion.id, 'qwen2.5-coder-3b-q8_0');
    assert.equal(gpu(12).chat.id, 'qwen2.5-coder-3b-instruct-q8_0');
    assert.equal(gpu(24).completion.id, 'qwen2.5-coder-7b-q8_0');
    assert.equal(gpu(24).chat.id, 'qwen2.5-coder-7b-instruct-q8_0');
    assert.match(gpu(24).reason, /cuda GPU with 24\.0 GB VRAM/);
  });

  it('steps down the chat tier when both do not fit in total memory (an 8 GB card in a 2 GB RAM box)', () => {
    const r = recommend(machine({ gpu: 'vulkan', vramTotalBytes: 8 * GB, ramTotalBytes: 2 * GB }));
    // 3B by VRAM, but 3B base + 3B instruct (~7.9 GB) exceed 75% of 10 GB: chat steps down.
    assert.equal(r.completion.id, 'qwen2.5-coder-3b-q8_0');
    assert.ok(r.chat.tier < r.completion.tier);
    assert.match(r.reason, /chat one size down/);
  });

  it('unified memory counts once (a 16 GB Apple machine gets 7B only if it fits: it does not)', () => {
    const r = recommend(machine({ gpu: 'metal', unifiedMemory: true, vramTotalBytes: 16 * GB, ramTotalBytes: 16 * GB }));
    // 7B by "VRAM" tier, but 7B needs ~8.8 GB: fits 12 GB budget alone; both together do not.
    assert.equal(r.completion.id, 'qwen2.5-coder-7b-q8_0');
    assert.ok(r.chat.tier < 3);
  });
});

describe('catalog: fits', () => {
  it('refuses with both numbers when the model needs more than is free', () => {
    const f = fits(9 * GB, machine({ ramFreeBytes: 6 * GB }));
    assert.equal(f.fits, false);
    assert.equal(f.neededBytes, 9 * GB);
    assert.equal(f.availableBytes, 6 * GB);
    assert.equal(f.message, 'needs 9.0 GB but only 6.0 GB free memory is available');
  });

  it('counts free VRAM on a discrete GPU, and what is already loaded', () => {
    const hw = machine({ gpu: 'cuda', vramFreeBytes: 6 * GB, ramFreeBytes: 4 * GB });
    assert.equal(fits(9 * GB, hw).fits, true);
    assert.equal(fits(9 * GB, hw, 2 * GB).fits, false);
  });
});
