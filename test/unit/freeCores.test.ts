import * as assert from 'node:assert/strict';
import { FreeCores, readCpuSnapshot, type CpuSnapshot } from '../../src/runtime/worker/freeCores';

/** Counters of a 2-core machine advanced by hand: `others` and `own` cores busy for `ms`. */
function counters() {
  let snap: CpuSnapshot = { at: 0, cores: 2, busyMs: 0, ownMs: 0 };
  let reads = 0;
  return {
    read: () => {
      reads++;
      return snap;
    },
    clock: () => snap.at,
    pass(ms: number, others: number, own: number) {
      snap = { at: snap.at + ms, cores: 2, busyMs: snap.busyMs + (others + own) * ms, ownMs: snap.ownMs + own * ms };
    },
    get reads() {
      return reads;
    },
  };
}

describe('FreeCores (room beside other processes, from the CPU counters)', () => {
  it('knows nothing until a whole window has passed', () => {
    const c = counters();
    const free = new FreeCores(c.read, 500, c.clock);
    assert.equal(free.beyond(1), undefined);
    c.pass(200, 0, 1);
    assert.equal(free.beyond(1), undefined);
  });

  it('counts what other processes used, not ours: a quiet machine has a core beyond our one thread, a compiler takes it', () => {
    const c = counters();
    const free = new FreeCores(c.read, 500, c.clock);
    free.beyond(1);
    c.pass(600, 0.05, 1);
    assert.ok(Math.abs(free.beyond(1)! - 0.95) < 1e-9, `quiet: ${free.beyond(1)}`);
    c.pass(600, 1, 1);
    assert.ok(Math.abs(free.beyond(1)! - 0) < 1e-9, `beside a compiler: ${free.beyond(1)}`);
    // Our own two busy threads are not a competitor.
    c.pass(600, 0, 2);
    assert.ok(Math.abs(free.beyond(1)! - 1) < 1e-9, `ours alone: ${free.beyond(1)}`);
  });

  it('reads the counters once per window, however often it is asked', () => {
    const c = counters();
    const free = new FreeCores(c.read, 500, c.clock);
    for (let i = 0; i < 100; i++) {
      free.beyond(1);
      c.pass(40, 0, 1);
    }
    // 4,000 ms: one read to start, then one per 500 ms window.
    assert.ok(c.reads <= 9, `${c.reads} reads of the counters`);
  });

  it('reads this machine: its cores, and busy time that grows', () => {
    const a = readCpuSnapshot();
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    const b = readCpuSnapshot();
    assert.ok(x > 0);
    assert.ok(a.cores >= 1);
    assert.ok(b.ownMs > a.ownMs && b.busyMs >= a.busyMs, JSON.stringify({ a, b }));
  });
});
