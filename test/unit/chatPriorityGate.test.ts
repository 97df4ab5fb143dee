import * as assert from 'node:assert/strict';
import { PriorityGate } from '../../src/runtime/worker/priorityGate';

const tick = () => new Promise((r) => setImmediate(r));

describe('chat yields to completion (PriorityGate)', () => {
  it('chat waits while any completion holds the gate, and goes on when the last releases', async () => {
    const gate = new PriorityGate();
    const a = gate.hold();
    const b = gate.hold();
    let resumed = false;
    void gate.waitIfHeld().then(() => (resumed = true));
    a();
    a(); // idempotent: a second call must not release b's hold
    await tick();
    assert.equal(resumed, false);
    b();
    await tick();
    assert.equal(resumed, true);
    assert.equal(gate.held, false);
  });

  it('a completion waits for the chat step already running, not for the whole answer', async () => {
    const gate = new PriorityGate();
    let finishStep!: () => void;
    const step = gate.step(() => new Promise<void>((r) => (finishStep = r)));
    const release = gate.hold();
    let idle = false;
    void gate.whenIdle().then(() => (idle = true));
    await tick();
    assert.equal(idle, false, 'the running step holds the cores');
    finishStep();
    await step;
    await tick();
    assert.equal(idle, true);
    release();
    assert.equal(await Promise.race([gate.whenIdle().then(() => 'idle'), tick().then(() => 'late')]), 'idle');
  });
});
