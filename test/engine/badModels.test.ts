import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SovereignError } from '../../src/common/errors';
import type { RuntimeClient } from '../../src/runtime/client';
import { createRuntime, fimParams, storiesModel, type Models } from './runtimeFixture';

describe('engine: bad model files give one clear error and the runtime keeps working', function () {
  let dir: string;
  let runtime: RuntimeClient;
  const models: Models = {};

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sovereign-bad-'));
    runtime = createRuntime(models);
  });
  after(async () => {
    await runtime.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  async function chatError(path: string): Promise<SovereignError> {
    models.chat = path;
    try {
      await runtime.chat([{ role: 'user', content: 'hi' }], { maxTokens: 4, onText() {} });
    } catch (e) {
      assert.ok(e instanceof SovereignError, `expected a SovereignError, got ${e}`);
      return e;
    }
    assert.fail(`loading ${path} should have failed`);
  }

  it('a missing file', async () => {
    const e = await chatError(join(dir, 'nowhere.gguf'));
    assert.equal(e.kind, 'modelNotFound');
    assert.match(e.message, /not found: .*nowhere\.gguf/);
  });

  it('a file that is not GGUF', async () => {
    const path = join(dir, 'notes.gguf');
    writeFileSync(path, 'these are my notes, not a model');
    const e = await chatError(path);
    assert.equal(e.kind, 'notGguf');
    assert.match(e.message, /notes\.gguf is not a GGUF model file/);
  });

  it('a truncated GGUF (a download cut short)', async () => {
    const path = join(dir, 'truncated.gguf');
    writeFileSync(path, readFileSync(storiesModel).subarray(0, 700_000));
    const e = await chatError(path);
    assert.equal(e.kind, 'corruptModel');
    assert.match(e.message, /truncated\.gguf is incomplete/);
  });

  it('a GGUF whose header is garbage after the magic', async () => {
    const path = join(dir, 'garbage.gguf');
    const bytes = Buffer.alloc(4096, 0xff);
    bytes.write('GGUF', 0, 'ascii');
    writeFileSync(path, bytes);
    const e = await chatError(path);
    assert.equal(e.kind, 'corruptModel');
    assert.match(e.message, /garbage\.gguf is damaged/);
  });

  it('a model without FIM tokens used for completion names the fix', async () => {
    models.completion = storiesModel;
    await assert.rejects(runtime.complete(fimParams('def f(', ')')), (e: unknown) => {
      assert.ok(e instanceof SovereignError);
      assert.equal(e.kind, 'noFimTokens');
      assert.match(e.message, /stories260K\.gguf has no fill-in-the-middle tokens.*coder base model/);
      return true;
    });
  });

  it('after all that, a good model answers in the same worker', async () => {
    const pid = runtime.pid;
    models.chat = storiesModel;
    const result = await runtime.chat([{ role: 'user', content: 'Once upon a time' }], { maxTokens: 8, onText() {} });
    assert.ok(result.text.length > 0);
    assert.equal(runtime.pid, pid, 'bad files must not crash the worker');
  });
});
