import * as assert from 'node:assert/strict';
import { SovereignError } from '../../src/common/errors';
import type { RuntimeClient } from '../../src/runtime/client';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime, fimParams, waitFor } from './runtimeFixture';

const prefix = 'import os\n\ndef read_config(path):\n    with open(path) as f:\n        ';
const suffix = '\n\n\ndef main():\n    print(read_config("a.toml"))\n';

for (const name of ['fim-deepseek', 'fim-qwen2'] as const) {
  describe(`engine: FIM completion with ${name}`, function () {
    let runtime: RuntimeClient;
    before(async function () {
      this.timeout(300_000);
      await ensureTestModels();
      runtime = createRuntime({ completion: testModelPath(name) });
    });
    after(() => runtime.shutdown());

    it('loads on first use and completes with text and stats', async () => {
      const result = await runtime.complete(fimParams(prefix, suffix, 12));
      assert.ok(result.text.length > 0, 'an untied random model produces text');
      assert.equal(result.stats.generatedTokens, 12);
      assert.equal(result.stats.reusedTokens, 0, 'nothing to reuse on the first request');
      assert.ok(result.stats.evaluatedTokens > 20);
      assert.ok(result.stats.totalMs >= result.stats.promptMs);
    });

    it('is deterministic: the same prompt gives the same text', async () => {
      const a = await runtime.complete(fimParams(prefix, suffix, 8));
      const b = await runtime.complete(fimParams(prefix, suffix, 8));
      assert.equal(a.text, b.text);
    });

    it('reuses the KV cache: a request one character longer evaluates only a few tokens', async () => {
      const first = await runtime.complete(fimParams(prefix, suffix, 4));
      const second = await runtime.complete(fimParams(prefix + 'r', suffix, 4));
      const total = second.stats.reusedTokens + second.stats.evaluatedTokens;
      assert.ok(total >= first.stats.reusedTokens + first.stats.evaluatedTokens, 'the prompt grew');
      assert.ok(second.stats.evaluatedTokens <= total * 0.6, `evaluated ${second.stats.evaluatedTokens} of ${total}`);
      assert.ok(second.stats.reusedTokens > 10, `reused only ${second.stats.reusedTokens}`);
    });

    it('cancelling during a generation stops it promptly and the worker serves the next request', async () => {
      const controller = new AbortController();
      const started = Date.now();
      // Long enough to run for seconds if it were not stopped.
      const pending = runtime.complete({ ...fimParams(prefix, suffix, 600), maxPrefixTokens: 256, maxSuffixTokens: 64 }, controller.signal);
      setTimeout(() => controller.abort(), 150);
      await assert.rejects(pending, (e: unknown) => e instanceof SovereignError && e.kind === 'cancelled');
      const stoppedAfter = Date.now() - started;
      // The worker must be free again at once: a short request completes right after.
      const next = await runtime.complete(fimParams(prefix, suffix, 4));
      const total = Date.now() - started;
      assert.equal(next.stats.generatedTokens, 4);
      const full = await runtime.complete({ ...fimParams(prefix, suffix, 600), maxPrefixTokens: 256, maxSuffixTokens: 64 });
      assert.equal(full.stats.generatedTokens, 600, 'the uncancelled request really is long');
      assert.ok(total < full.stats.totalMs, `cancel + next (${total} ms) must be faster than one full generation (${full.stats.totalMs} ms); stopped after ${stoppedAfter} ms`);
    });

    it('a newer request supersedes the one in flight', async () => {
      const older = runtime.complete({ ...fimParams(prefix, suffix, 600), maxPrefixTokens: 256, maxSuffixTokens: 64 });
      const olderOutcome = older.then(() => 'completed', (e: unknown) => (e instanceof SovereignError ? e.kind : String(e)));
      await new Promise((r) => setTimeout(r, 50));
      const newer = await runtime.complete(fimParams(prefix + 'x', suffix, 4));
      assert.equal(newer.stats.generatedTokens, 4);
      assert.equal(await olderOutcome, 'cancelled');
    });
  });
}

describe('engine: idle unload', function () {
  it('unloads the model after the idle time and gives its memory back; the next request reloads it', async function () {
    this.timeout(120_000);
    await ensureTestModels();
    let idleMs = 0;
    const runtime = createRuntime({ completion: testModelPath('fim-qwen2') }, { idleUnloadMs: () => idleMs, contextSize: 4096 });
    try {
      await runtime.complete(fimParams(prefix, suffix, 4));
      const loaded = (await runtime.status())!;
      assert.equal(loaded.models.length, 1);
      idleMs = 400;
      await runtime.complete(fimParams(prefix, suffix, 2)); // arms the idle timer
      await waitFor(async () => runtime.currentState.kind === 'idle' && (await runtime.status())!.models.length === 0, 10_000, 'the idle unload');
      const unloaded = (await runtime.status())!;
      assert.equal(unloaded.pid, loaded.pid, 'the worker stays; only the models go');
      const releasedMb = (loaded.rssBytes - unloaded.rssBytes) / 2 ** 20;
      // kvBytes is node-llama-cpp's upper-bound estimate of the context (compute buffers included),
      // which RSS only partly reflects: judge on the weights, which an unload must give back.
      const modelMb = loaded.models[0].fileBytes / 2 ** 20;
      assert.ok(releasedMb >= 0.5 * modelMb, `released ${releasedMb.toFixed(1)} MB of the ${modelMb.toFixed(1)} MB weights`);
      assert.equal(runtime.currentState.kind, 'idle');
      const again = await runtime.complete(fimParams(prefix, suffix, 2));
      assert.equal(again.stats.generatedTokens, 2);
    } finally {
      await runtime.shutdown();
    }
  });
});

describe('engine: load settings apply to the next request', function () {
  it('a changed context size or thread count loads the model again; unchanged settings keep it loaded', async function () {
    this.timeout(120_000);
    await ensureTestModels();
    let load = { path: testModelPath('fim-qwen2'), contextSize: 2048, threads: 1, adaptiveThreads: true, gpu: 'off' as const };
    const runtime = createRuntime({}, { modelFor: () => load });
    try {
      await runtime.complete(fimParams(prefix, suffix, 2));
      const first = runtime.loadedModel('completion');
      assert.equal(first?.contextSize, 2048);
      await runtime.complete(fimParams(prefix, suffix, 2));
      assert.equal(runtime.loadedModel('completion'), first, 'the same settings: the loaded model serves on');
      load = { ...load, contextSize: 1024 };
      await runtime.complete(fimParams(prefix, suffix, 2));
      assert.equal(runtime.loadedModel('completion')?.contextSize, 1024);
      load = { ...load, threads: 2 };
      await runtime.complete(fimParams(prefix, suffix, 2));
      assert.equal(runtime.loadedModel('completion')?.threads, 2);
    } finally {
      await runtime.shutdown();
    }
  });
});

describe('engine: warm-up and generation controls', function () {
  let runtime: RuntimeClient;
  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    runtime = createRuntime({ completion: testModelPath('fim-qwen2') });
  });
  after(() => runtime.shutdown());

  it('a warm-up request evaluates the prompt and generates nothing; the next request reuses it', async () => {
    const warm = await runtime.complete({ ...fimParams(prefix, suffix, 0) });
    assert.equal(warm.text, '');
    assert.equal(warm.stats.generatedTokens, 0);
    assert.equal(warm.stats.stop, 'warmup');
    const real = await runtime.complete(fimParams(prefix, suffix, 4));
    assert.ok(real.stats.evaluatedTokens <= 1, `evaluated ${real.stats.evaluatedTokens} after a warm-up`);
  });

  it('a warm-up never supersedes a request in flight', async () => {
    const running = runtime.complete({ ...fimParams(prefix, suffix, 200), maxPrefixTokens: 256, maxSuffixTokens: 64 });
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(runtime.complete(fimParams(prefix + 'y', suffix, 0)), (e: unknown) => e instanceof SovereignError && e.kind === 'cancelled');
    const done = await running;
    assert.equal(done.stats.generatedTokens, 200, 'the user request ran to its end');
  });

  it('a prompt-time budget shrinks the prompt to the measured prompt speed; none keeps the token bounds', async () => {
    const longPrefix = Array.from({ length: 400 }, (_, i) => `value_${i} = compute(${i}, "item-${i}")`).join('\n') + '\n';
    const longSuffix = '\n' + Array.from({ length: 200 }, (_, i) => `print(value_${i})`).join('\n');
    const promptOf = (r: { stats: { reusedTokens: number; evaluatedTokens: number } }) => r.stats.reusedTokens + r.stats.evaluatedTokens;
    const unbounded = await runtime.complete({ ...fimParams(longPrefix, longSuffix, 1), promptBudgetMs: 0 });
    const generous = await runtime.complete({ ...fimParams(longPrefix, longSuffix, 1), promptBudgetMs: 3_600_000 });
    // 1 ms at any real speed is under the smallest size: 256 tokens of text plus the FIM tokens.
    const tight = await runtime.complete({ ...fimParams(longPrefix, longSuffix, 1), promptBudgetMs: 1 });
    assert.ok(promptOf(unbounded) > 1024, `the token bounds alone allow ${promptOf(unbounded)}`);
    assert.equal(promptOf(generous), promptOf(unbounded), 'a fast enough machine keeps the token bounds');
    assert.ok(promptOf(tight) <= 256 + 8, `a tight budget gives ${promptOf(tight)} tokens`);
  });

  it('single-line requests never return a line break', async () => {
    const r = await runtime.complete({ ...fimParams(prefix, suffix, 64), singleLine: true });
    assert.ok(!r.text.includes('\n'));
  });

  it('extra context goes first and stays reused while the user types', async () => {
    const extra = [{ path: 'lib/config.py', text: 'DEFAULTS = {"debug": False}\n' }];
    const a = await runtime.complete({ ...fimParams(prefix, suffix, 2), extra, filePath: 'app.py', repoName: 'demo', maxExtraTokens: 256 });
    const b = await runtime.complete({ ...fimParams(prefix + 'x', suffix, 2), extra, filePath: 'app.py', repoName: 'demo', maxExtraTokens: 256 });
    assert.ok(b.stats.reusedTokens >= a.stats.reusedTokens + a.stats.evaluatedTokens - 30, 'the extra context and prefix were reused');
  });

  it('extra context fills the room the prefix and suffix bounds leave, as llama-server does', async () => {
    // 2,048-token context, short prefix and suffix: the extra context's bound (1,200) fits what they leave.
    const extra = Array.from({ length: 40 }, (_, i) => ({ path: `lib/m${i}.py`, text: `def helper_${i}(value):\n    return value * ${i} + len(str(value))\n\n`.repeat(3) }));
    const r = await runtime.complete({ ...fimParams(prefix, suffix, 1), extra, maxPrefixTokens: 256, maxSuffixTokens: 64, maxExtraTokens: 1200 });
    const prompt = r.stats.reusedTokens + r.stats.evaluatedTokens;
    assert.ok(prompt > 1000, `the prompt has ${prompt} tokens: extra context was cut to a fifth of the room`);
    assert.ok(prompt <= 1200 + 256 + 64 + 16, `the prompt has ${prompt} tokens: over the bounds`);
  });
});

describe('engine: the completion context is sized to its evaluation step', function () {
  it("its compute buffers are a fraction of chat's for the same model: no buffers for a 512-token batch it never decodes", async function () {
    this.timeout(120_000);
    await ensureTestModels();
    // fim-qwen2 has Qwen2.5's vocabulary (about 150k tokens): a 512-token batch's logits alone are
    // about 300 MB.
    const model = testModelPath('fim-qwen2');
    const runtime = createRuntime({ completion: model, chat: model }, { contextSize: 4096 });
    try {
      await runtime.complete(fimParams(prefix, suffix, 2));
      await runtime.load('chat');
      const models = (await runtime.status())!.models;
      const bytes = (role: string) => models.find((m) => m.role === role)!.kvBytes;
      const mb = (b: number) => (b / 2 ** 20).toFixed(1);
      // kvBytes: node-llama-cpp's estimate of the context (KV cache and compute buffers) for the
      // batch size it was created with; same model, same context size, only the batch differs.
      assert.ok(bytes('completion') > 0 && bytes('chat') > 0);
      assert.ok(bytes('completion') < bytes('chat') / 4, `completion ${mb(bytes('completion'))} MB, chat ${mb(bytes('chat'))} MB`);
      // And it still completes, prompts longer than one batch included.
      const long = await runtime.complete(fimParams('x = 1\n'.repeat(120) + prefix, suffix, 4));
      assert.equal(long.stats.generatedTokens, 4);
      assert.ok(long.stats.evaluatedTokens > 64, `evaluated ${long.stats.evaluatedTokens}`);
    } finally {
      await runtime.shutdown();
    }
  });
});
