import * as assert from 'node:assert/strict';
import { isModelProblem, modelProblemKinds, SovereignError } from '../../src/common/errors';
import { noChatTemplateError, problemOf, unsupportedArchitectureError } from '../../src/runtime/worker/validateModelFile';

describe('error kinds', () => {
  it('a chat model without a template is its own kind, not "no model"', () => {
    const e = noChatTemplateError('stories.gguf');
    assert.equal(e.kind, 'noChatTemplate');
    assert.deepEqual(problemOf(e), { kind: 'noChatTemplate', message: e.message });
  });

  it('an unsupported architecture is its own kind, not a corrupt file', () => {
    const e = unsupportedArchitectureError('alien.gguf', 'qwen9');
    assert.equal(e.kind, 'unsupportedArchitecture');
    assert.equal(problemOf(e).kind, 'unsupportedArchitecture');
  });

  it('model problems are error kinds a different file fixes; other errors stay exceptions', () => {
    for (const kind of modelProblemKinds) assert.ok(isModelProblem(kind), kind);
    assert.ok(!isModelProblem('noModel'), 'no model configured is not a problem of a file');
    assert.ok(!isModelProblem('insufficientMemory'));
    const crash = new SovereignError('workerCrashed', 'gone');
    assert.throws(() => problemOf(crash), (e) => e === crash);
  });
});
