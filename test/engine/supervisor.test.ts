import * as assert from 'node:assert/strict';
import { SovereignError } from '../../src/common/errors';
import type { RuntimeState } from '../../src/runtime/client';
import { createRuntime, isAlive, storiesModel, waitFor } from './runtimeFixture';

describe('engine: the supervisor around the real worker process', function () {
  it('SIGKILL during a generation fails the request with a typed error; the next request is served by a restarted worker', async () => {
    const runtime = createRuntime({ chat: storiesModel });
    try {
      await runtime.chat([{ role: 'user', content: 'warm up' }], { maxTokens: 2, onText() {} });
      const firstPid = runtime.pid!;
      let killed = false;
      const answer = runtime.chat([{ role: 'user', content: 'Tell me a long story.' }], {
        maxTokens: 400,
        onText: () => {
          if (!killed) {
            killed = true;
            process.kill(firstPid, 'SIGKILL');
          }
        },
      });
      await assert.rejects(answer, (e: unknown) => {
        assert.ok(e instanceof SovereignError, String(e));
        assert.equal(e.kind, 'workerCrashed');
        assert.match(e.message, /SIGKILL/);
        return true;
      });
      assert.ok(killed);
      const next = await runtime.chat([{ role: 'user', content: 'Once upon a time' }], { maxTokens: 8, onText() {} });
      assert.ok(next.text.length > 0);
      assert.notEqual(runtime.pid, firstPid, 'a new worker process serves the next request');
      assert.ok(!isAlive(firstPid));
    } finally {
      await runtime.shutdown();
    }
  });

  it('gives up into an error state after repeated crashes, until restarted', async () => {
    const runtime = createRuntime({ chat: storiesModel }, { maxCrashes: 2, restartDelayMs: 20 });
    const states: RuntimeState[] = [];
    runtime.onDidChangeState((s) => states.push(s));
    try {
      for (let i = 0; i < 2; i++) {
        await runtime.chat([{ role: 'user', content: 'hi' }], { maxTokens: 2, onText() {} });
        const pid = runtime.pid!;
        process.kill(pid, 'SIGKILL');
        await waitFor(() => runtime.pid === undefined, 5000, 'the crash to be noticed');
      }
      const state = runtime.currentState;
      assert.equal(state.kind, 'error');
      assert.equal(state.kind === 'error' && state.error.kind, 'workerCrashed');
      assert.match(state.kind === 'error' ? state.error.message : '', /crashed 2 times.*Restart Runtime/);
      await assert.rejects(runtime.chat([{ role: 'user', content: 'hi' }], { maxTokens: 2, onText() {} }), /crashed 2 times/);
      assert.equal(runtime.pid, undefined, 'no new worker after giving up');

      await runtime.restart();
      const after = await runtime.chat([{ role: 'user', content: 'Once' }], { maxTokens: 4, onText() {} });
      assert.ok(after.text.length > 0);
    } finally {
      await runtime.shutdown();
    }
  });

  it('shutdown asks the worker to exit: no process is left behind', async () => {
    const runtime = createRuntime({ chat: storiesModel });
    await runtime.chat([{ role: 'user', content: 'hi' }], { maxTokens: 2, onText() {} });
    const pid = runtime.pid!;
    assert.ok(isAlive(pid));
    const started = Date.now();
    await runtime.shutdown();
    assert.ok(!isAlive(pid), 'worker still running after shutdown');
    assert.ok(Date.now() - started < 2500, 'exited by itself, not by the SIGKILL fallback');
  });

  it('SIGKILLs a worker that does not answer shutdown within the timeout', async () => {
    const runtime = createRuntime({ chat: storiesModel }, { shutdownTimeoutMs: 300 });
    await runtime.chat([{ role: 'user', content: 'hi' }], { maxTokens: 2, onText() {} });
    const pid = runtime.pid!;
    process.kill(pid, 'SIGSTOP'); // frozen: it cannot answer
    try {
      await runtime.shutdown();
      assert.ok(!isAlive(pid));
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
