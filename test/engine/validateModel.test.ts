/**
 * Every model file is checked before use: one clear message per bad file, and the verdict
 * (models/modelVerdict.ts) names the action that fixes it. Real worker, real files.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeModel } from '../../src/models/modelVerdict';
import type { RuntimeClient } from '../../src/runtime/client';
import type { HardwareInfo, ModelRole } from '../../src/runtime/protocol';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { createRuntime, storiesModel } from './runtimeFixture';

describe('engine: model files are validated before use', function () {
  let dir: string;
  let runtime: RuntimeClient;
  let qwen: string;

  before(async () => {
    await ensureTestModels();
    qwen = testModelPath('fim-qwen2');
    dir = mkdtempSync(join(tmpdir(), 'sovereign-validate-'));
    runtime = createRuntime({});
  });
  after(async () => {
    await runtime.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  const inspect = (path: string, role: ModelRole) => runtime.inspectModel({ path, role, contextSize: 2048, gpu: 'off' });

  it('reports the hardware node-llama-cpp sees (gpu off → cpu)', async () => {
    const hw = await runtime.hardware('off');
    assert.equal(hw.gpu, 'cpu');
    assert.equal(hw.vramTotalBytes, 0);
    assert.ok(hw.ramTotalBytes > 1024 ** 3 && hw.ramFreeBytes > 0 && hw.ramFreeBytes <= hw.ramTotalBytes);
    assert.ok(hw.cpuCores >= 1);
    // The worker starts with one libuv pool thread (workerEnv.ts): one OpenMP team does every decode.
    assert.equal(hw.threadPool, 1);
  });

  it('a good coder base model passes for completion and chat, with a memory estimate', async () => {
    const c = await inspect(qwen, 'completion');
    assert.equal(c.problem, undefined);
    assert.equal(c.architecture, 'qwen2');
    assert.equal(c.fim, 'qwen2.5-coder');
    assert.equal(c.chatTemplate, true);
    assert.ok(c.memory && c.memory.ramBytes > c.fileBytes, `estimate ${JSON.stringify(c.memory)} should exceed the file`);
    assert.equal((await inspect(qwen, 'chat')).problem, undefined);
  });

  const cases: { what: string; make: () => string; role: ModelRole; kind: string; message: RegExp; action: string }[] = [
    { what: 'a missing file', make: () => join(dir, 'gone.gguf'), role: 'completion', kind: 'modelNotFound', message: /not found: .*gone\.gguf/, action: 'chooseAnother' },
    {
      what: 'a file that is not GGUF', role: 'completion', kind: 'notGguf', message: /notes\.gguf is not a GGUF model file/, action: 'download',
      make: () => (writeFileSync(join(dir, 'notes.gguf'), 'just text'), join(dir, 'notes.gguf')),
    },
    {
      what: 'a truncated download', role: 'completion', kind: 'corruptModel', message: /cut\.gguf is incomplete/, action: 'download',
      make: () => (writeFileSync(join(dir, 'cut.gguf'), readFileSync(qwen).subarray(0, 12_000_000)), join(dir, 'cut.gguf')),
    },
    {
      what: 'an unsupported architecture', role: 'completion', kind: 'unsupportedArchitecture', message: /alien\.gguf uses the "qwen9" architecture.*Choose a model of a supported family/, action: 'chooseAnother',
      make: () => {
        const bytes = readFileSync(qwen);
        const key = bytes.indexOf('general.architecture');
        // key, then u32 type (8 = string), u64 length 5, then "qwen2": same length keeps the file valid.
        const at = key + 'general.architecture'.length + 4 + 8;
        assert.equal(bytes.toString('latin1', at, at + 5), 'qwen2');
        bytes.write('qwen9', at, 'latin1');
        writeFileSync(join(dir, 'alien.gguf'), bytes);
        return join(dir, 'alien.gguf');
      },
    },
    { what: 'a model without FIM tokens for completion', make: () => storiesModel, role: 'completion', kind: 'noFimTokens', message: /stories260K\.gguf has no fill-in-the-middle tokens.*coder base model/, action: 'chooseAnother' },
    { what: 'a model without a chat template for chat', make: () => storiesModel, role: 'chat', kind: 'noChatTemplate', message: /stories260K\.gguf has no chat template.*instruct model/, action: 'chooseAnother' },
  ];

  const hw: HardwareInfo = { gpu: 'cpu', vramTotalBytes: 0, vramFreeBytes: 0, unifiedMemory: false, ramTotalBytes: 8 * 1024 ** 3, ramFreeBytes: 4 * 1024 ** 3, cpuCores: 2, threadPool: 1 };

  for (const c of cases) {
    it(`${c.what}: ${c.kind}, one message, the fixing action`, async () => {
      const result = await inspect(c.make(), c.role);
      assert.equal(result.problem?.kind, c.kind, JSON.stringify(result.problem));
      assert.match(result.problem!.message, c.message);
      const verdict = judgeModel(result, c.role, hw);
      assert.equal(verdict.ok, false);
      assert.equal(!verdict.ok && verdict.action, c.action);
    });
  }

  it('a model that does not fit in memory is refused with the numbers, and the worker lives on', async () => {
    const result = await inspect(qwen, 'completion');
    const tiny: HardwareInfo = { ...hw, ramFreeBytes: 10 * 1024 ** 2 };
    const verdict = judgeModel(result, 'completion', tiny);
    assert.equal(verdict.ok, false);
    const need = result.memory!.ramBytes + result.memory!.vramBytes;
    assert.ok(!verdict.ok);
    assert.match(verdict.message, new RegExp(`fim-qwen2\\.gguf does not fit in memory: it needs ${Math.round(need / 1024 ** 2)} MB but only 10 MB free memory is available`));
    assert.equal(verdict.action, 'chooseSmaller');
    assert.equal(judgeModel(result, 'completion', hw).ok, true);
    const pid = runtime.pid;
    assert.equal((await inspect(qwen, 'chat')).problem, undefined);
    assert.equal(runtime.pid, pid);
  });

  it('a copy of a good file in another folder passes too (models-folder entries are checked the same way)', async () => {
    const copy = join(dir, 'copy.gguf');
    copyFileSync(qwen, copy);
    assert.equal((await inspect(copy, 'completion')).problem, undefined);
  });
});
