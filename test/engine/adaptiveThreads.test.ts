import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import type { RuntimeClient } from '../../src/runtime/client';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime, fimParams } from './runtimeFixture';

const prefix = 'import os\n\ndef read_config(path):\n    with open(path) as f:\n        ';
const suffix = '\n\n\ndef main():\n    print(read_config("a.toml"))\n';

/** One busy loop per core at normal priority, like a build: what made 2 threads decode 25× slower (issue 12). */
function competitors(): { stop(): void } {
  const children: ChildProcess[] = cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return { stop: () => children.forEach((c) => c.kill('SIGKILL')) };
}

/**
 * The real worker with the real model: its thread tuner (threadTuner.ts, unit-tested on a
 * simulated machine) applied to node-llama-cpp's thread limit between tokens.
 */
describe('engine: threads adapt to a busy machine', function () {
  this.timeout(600_000);
  const model = () => testModelPath('fim-qwen2');
  const runtimes: RuntimeClient[] = [];
  const runtime = (adaptiveThreads: boolean, threads: number) => {
    const r = createRuntime({}, { modelFor: () => ({ path: model(), contextSize: 2048, threads, adaptiveThreads, gpu: 'off' }) });
    runtimes.push(r);
    return r;
  };

  before(async () => ensureTestModels());
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.shutdown()));
  });

  it('the thread count never changes what is generated: 1 and 2 threads give the same greedy text', async () => {
    const one = await runtime(false, 1).complete(fimParams(prefix, suffix, 24));
    const two = await runtime(false, 2).complete(fimParams(prefix, suffix, 24));
    assert.equal(one.stats.threads, 1);
    assert.equal(two.stats.threads, 2);
    assert.equal(one.text, two.text);
  });

  it('beside one busy loop per core, generation moves to fewer threads; with adaptation off it stays at all of them', async function () {
    if (cpus().length < 2) this.skip();
    const adaptive = runtime(true, 2);
    const fixed = runtime(false, 2);
    // Load both models first: loading is not what is measured.
    await adaptive.complete(fimParams(prefix, suffix, 1));
    await fixed.complete(fimParams(prefix, suffix, 1));
    const load = competitors();
    try {
      const seen: number[] = [];
      // A probe of fewer threads comes two seconds into the work; a few long requests cover it.
      for (let i = 0; i < 6 && seen.at(-1) !== 1; i++) {
        const r = await adaptive.complete(fimParams(prefix + ' '.repeat(i), suffix, 48));
        seen.push(r.stats.threads ?? -1);
      }
      assert.equal(seen.at(-1), 1, `threads in use after each request beside the load: ${seen.join(', ')}`);
      const same = await fixed.complete(fimParams(prefix, suffix, 8));
      assert.equal(same.stats.threads, 2, 'with adaptation off the configured count is kept');
    } finally {
      load.stop();
    }
  });
});
