import * as assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { cpuCounterReader, OtherLoad, type CpuCounters } from '../../src/runtime/worker/otherLoad';

/** Scripted counters: 2 cores; `others` and `own` are the cores each uses from now on. */
function counters() {
  let at = 0;
  let busyMs = 0;
  let ownMs = 0;
  const use = { others: 0, own: 1 };
  return {
    use,
    read: (): CpuCounters => ({ at, cores: 2, busyMs, ownMs }),
    advance(ms: number) {
      at += ms;
      busyMs += (use.others + use.own) * ms;
      ownMs += use.own * ms;
    },
  };
}

describe('OtherLoad (cores other processes leave free)', () => {
  it('is unknown until its window is covered, then counts only the others', () => {
    const c = counters();
    const load = new OtherLoad(c.read, 150, 250);
    c.use.others = 0.5;
    load.sample();
    assert.equal(load.freeCores(), undefined);
    for (let i = 0; i < 3; i++) {
      c.advance(40);
      load.sample();
    }
    assert.equal(load.freeCores(), undefined, '120 ms of 150');
    c.advance(40);
    load.sample();
    assert.ok(Math.abs(load.freeCores()! - 1.5) < 1e-9, String(load.freeCores()));
  });

  it('follows the last moments: a competitor that stopped leaves the window within it', () => {
    const c = counters();
    const load = new OtherLoad(c.read, 150, 250);
    c.use.others = 1;
    for (let i = 0; i < 20; i++) {
      c.advance(30);
      load.sample();
    }
    assert.ok(load.freeCores()! < 1.1);
    c.use.others = 0;
    for (let i = 0; i < 6; i++) {
      c.advance(30);
      load.sample();
    }
    assert.ok(load.freeCores()! > 1.9, String(load.freeCores()));
  });

  it('a gap between steps starts a new window, so an idle spell does not water down what runs after it', () => {
    const c = counters();
    const load = new OtherLoad(c.read, 150, 250);
    c.use.own = 0;
    load.sample();
    c.advance(5_000); // idle: nobody runs
    c.use.others = 1;
    c.use.own = 1;
    load.sample();
    c.advance(100);
    load.sample();
    assert.equal(load.freeCores(), undefined, 'the 5 s before the gap count for nothing');
    c.advance(60);
    load.sample();
    assert.ok(Math.abs(load.freeCores()! - 1) < 1e-9, String(load.freeCores()));
  });

  it('the real counters of this machine: every usable core, and our own time inside the busy time', function () {
    const read = cpuCounterReader();
    const before = read();
    if (!before) this.skip(); // a CPU set smaller than the machine: the tuner goes by timings alone
    // Spin until this process has used 200 ms of CPU, however long a busy machine makes that take
    // (a wall-clock spin gets less CPU beside a competitor).
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const from = cpuMs();
    while (cpuMs() - from < 200) {
      /* this process uses a core */
    }
    const after = read()!;
    assert.equal(after.cores, availableParallelism());
    const own = after.ownMs - before.ownMs;
    const busy = after.busyMs - before.busyMs;
    assert.ok(own >= 150, `own ${own} ms`);
    // The machine's counters tick in 10 ms steps per core: ours fits in them, give or take a tick per core.
    assert.ok(busy >= own - 10 * after.cores - 10, `busy ${busy} ms, own ${own} ms`);
  });
});
