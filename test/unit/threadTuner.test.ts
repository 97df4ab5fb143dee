import * as assert from 'node:assert/strict';
import { ThreadTuner, type RoomSource } from '../../src/runtime/worker/threadTuner';

/**
 * A simulated machine: each step costs what the current load makes it cost with the chosen thread
 * count, and the clock moves by that much. The costs are the shapes measured in issue 12 on a
 * 2-core machine: quiet, 2 threads beat 1; beside a competing job, 2 threads collapse.
 */
function machine(maxThreads = 2, spikeEvery = 0, room?: (ownThreads: number) => number | undefined) {
  let t = 0;
  let n = 0;
  let cost: Record<number, number> = { 1: 90, 2: 50 };
  const changes: string[] = [];
  const source: RoomSource | undefined = room && { beyond: room };
  const tuner = new ThreadTuner(maxThreads, () => t, undefined, (threads, why) => changes.push(`${threads}: ${why}`), source);
  const used: number[] = [];
  return {
    tuner,
    changes,
    used,
    setCost(c: Record<number, number>) {
      cost = c;
    },
    /** Runs steps for `ms` of simulated time; returns the thread counts used, in order. */
    run(ms: number): number[] {
      const end = t + ms;
      const these: number[] = [];
      while (t < end) {
        const threads = tuner.next();
        // A spike: the editor's own work (a keystroke handled) preempts one step, whatever its count.
        const took = cost[threads] * (spikeEvery > 0 && ++n % spikeEvery === 0 ? 4 : 1);
        t += took;
        tuner.observe(threads, 1, took);
        these.push(threads);
        used.push(threads);
      }
      return these;
    },
    get now() {
      return t;
    },
  };
}

describe('ThreadTuner (adaptive thread count)', () => {
  it('on a quiet machine keeps all threads, and its probes of fewer cost under 3 % of the time', () => {
    const m = machine();
    const steps = m.run(120_000);
    const probes = steps.filter((t) => t === 1).length;
    assert.equal(m.tuner.threads, 2);
    const extraMs = probes * (90 - 50);
    assert.ok(extraMs / 120_000 < 0.03, `probing cost ${extraMs} ms of 120 s`);
    assert.ok(probes > 0, 'it does look at fewer threads now and then');
  });

  it('on a quiet machine a step slowed now and then by other work does not move it off all threads', () => {
    // Every fifth step costs 4x (what the editor handling keystrokes beside a decode looks like).
    const m = machine(2, 5);
    const steps = m.run(120_000);
    const onOne = steps.filter((t) => t === 1).length;
    assert.equal(m.tuner.threads, 2);
    assert.ok(onOne / steps.length < 0.03, `${onOne} of ${steps.length} steps on 1 thread; last changes: ${m.changes.slice(-4).join(' | ')}`);
  });

  it('moves to fewer threads after one or two slow steps once a competing job makes all threads slow', () => {
    const m = machine();
    m.run(60_000); // long quiet spell: probes have backed off
    m.setCost({ 1: 150, 2: 1000 });
    const loadedAt = m.now;
    while (m.tuner.threads !== 1 && m.now - loadedAt < 60_000) m.run(1);
    assert.equal(m.tuner.threads, 1);
    assert.ok(m.now - loadedAt <= 2_000, `took ${m.now - loadedAt} ms of simulated time to move`);
    assert.match(m.changes.at(-1) ?? '', /^1: /);
  });

  it('goes back to all threads once the machine is quiet again', () => {
    const m = machine();
    m.run(10_000);
    m.setCost({ 1: 150, 2: 1000 });
    m.run(60_000);
    assert.equal(m.tuner.threads, 1);
    m.setCost({ 1: 90, 2: 50 });
    const quietAt = m.now;
    while (Number(m.tuner.threads) !== 2 && m.now - quietAt < 120_000) m.run(1);
    assert.equal(m.tuner.threads, 2);
    assert.ok(m.now - quietAt <= 40_000, `took ${m.now - quietAt} ms of simulated time to come back`);
  });

  it('under load it spends little time probing the slow count', () => {
    const m = machine();
    m.setCost({ 1: 150, 2: 1000 });
    const steps = m.run(120_000);
    const slowMs = steps.filter((t) => t === 2).length * 1000;
    assert.ok(slowMs / 120_000 < 0.15, `${slowMs} ms of 120 s spent on 2 threads`);
    assert.equal(m.tuner.threads, 1);
    // A probe that clearly lost (over twice the cost of 1 thread) ends after its first step.
    const runs = steps.join('').split(/1+/).filter((r) => r !== '');
    assert.ok(runs.length >= 3, `${runs.length} probes in 120 s`);
    assert.deepEqual(runs.slice(1).map((r) => r.length), runs.slice(1).map(() => 1), `steps per probe of 2 threads: ${runs.map((r) => r.length).join(' ')}`);
  });

  it('with one thread configured there is nothing to tune', () => {
    const m = machine(1);
    m.setCost({ 1: 90 });
    assert.deepEqual([...new Set(m.run(10_000))], [1]);
  });

  it('with more cores it walks one count at a time toward the fastest', () => {
    let t = 0;
    const cost: Record<number, number> = { 1: 100, 2: 60, 3: 45, 4: 400 };
    const tuner = new ThreadTuner(4, () => t);
    for (let i = 0; i < 2000; i++) {
      const threads = tuner.next();
      t += cost[threads];
      tuner.observe(threads, 1, cost[threads]);
    }
    assert.equal(tuner.threads, 3);
  });

  describe('with the CPU counters (FreeCores) telling it whether other processes leave a core free', () => {
    /** The counters of the simulated 2-core machine: quiet, only our threads; loaded, a competitor takes a core. */
    const counters = (m: { loaded: boolean }) => (own: number) => 2 - (m.loaded ? 1 : 0) - own;

    /** 10 s quiet, 120 s beside a competitor (its probes back off to the longest wait), then quiet: ms until 2 threads again. */
    function comeBack(room?: (ownThreads: number) => number | undefined, state = { loaded: false }) {
      const m = machine(2, 0, room);
      m.run(10_000);
      state.loaded = true;
      m.setCost({ 1: 150, 2: 1000 });
      m.run(120_000);
      assert.equal(m.tuner.threads, 1);
      state.loaded = false;
      m.setCost({ 1: 90, 2: 50 });
      const quietAt = m.now;
      while (Number(m.tuner.threads) !== 2 && m.now - quietAt < 120_000) m.run(1);
      return { ms: m.now - quietAt, m };
    }

    it('goes back to all threads within a few steps once the machine is quiet, not after its back-off', () => {
      const state = { loaded: false };
      const withCounters = comeBack(counters(state), state);
      const without = comeBack();
      assert.equal(withCounters.m.tuner.threads, 2);
      assert.ok(withCounters.ms <= 500, `took ${withCounters.ms} ms of simulated time with the counters`);
      // The control: the schedule alone waits out the back-off here, so the case above measures the counters.
      assert.ok(without.ms > 2_000, `the schedule alone came back in ${without.ms} ms`);
      assert.match(withCounters.m.changes.at(-1) ?? '', /^2: a free core/);
    });

    it('beside a competitor the counters add no tries: the same steps as without them', () => {
      const busy = machine(2, 0, counters({ loaded: true }));
      const plain = machine(2);
      for (const m of [busy, plain]) m.setCost({ 1: 150, 2: 1000 });
      assert.deepEqual(busy.run(120_000), plain.run(120_000));
    });

    it('counters that promise a free core that is not there (a container with a CPU quota) cost one slow step per longest wait', () => {
      const lying = machine(2, 0, () => 1);
      const plain = machine(2);
      for (const m of [lying, plain]) m.setCost({ 1: 150, 2: 1000 });
      const slow = (steps: number[]) => steps.filter((t) => t === 2).length;
      const extra = slow(lying.run(120_000)) - slow(plain.run(120_000));
      assert.equal(lying.tuner.threads, 1);
      assert.ok(extra <= Math.ceil(120_000 / 32_000) + 1, `${extra} more slow steps than without the counters`);
    });

    it('at all threads it does not read them', () => {
      let reads = 0;
      const m = machine(2, 0, () => {
        reads++;
        return 1;
      });
      const steps = m.run(60_000);
      assert.equal(m.tuner.threads, 2);
      // Only during the schedule's probes of 1 thread (a few steps) is there a count below the most.
      assert.ok(reads <= steps.filter((t) => t === 1).length, `${reads} reads in ${steps.length} steps`);
    });
  });
});
