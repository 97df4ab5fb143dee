import * as assert from 'node:assert/strict';
import { ThreadTuner } from '../../src/runtime/worker/threadTuner';

/**
 * A simulated machine: each step costs what the current load makes it cost with the chosen thread
 * count, and the clock moves by that much. The costs are the shapes measured in issue 12 on a
 * 2-core machine: quiet, 2 threads beat 1; beside a competing job, 2 threads collapse.
 */
function machine(maxThreads = 2, spikeEvery = 0, freeCores: () => number | undefined = () => undefined) {
  let t = 0;
  let n = 0;
  let cost: Record<number, number> = { 1: 90, 2: 50 };
  const changes: string[] = [];
  const tuner = new ThreadTuner(maxThreads, () => t, undefined, (threads, why) => changes.push(`${threads}: ${why}`), freeCores);
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

  describe('with the CPU counters (otherLoad.ts)', () => {
    /** The tuner on 1 thread after a long load: its probes of 2 have backed off to the longest wait. */
    function afterLoad(free: { cores: number | undefined }) {
      const m = machine(2, 0, () => free.cores);
      m.setCost({ 1: 150, 2: 1000 });
      free.cores = 1;
      m.run(120_000);
      assert.equal(m.tuner.threads, 1);
      return m;
    }

    it('goes back to all threads within a few steps once the counters show the other cores free', () => {
      const free: { cores: number | undefined } = { cores: 1 };
      const m = afterLoad(free);
      // The user stops typing: the machine is quiet, and the counters say so.
      m.setCost({ 1: 90, 2: 50 });
      free.cores = 2;
      const steps = m.run(500);
      assert.equal(m.tuner.threads, 2, `threads per step: ${steps.join('')}`);
      assert.ok(steps.indexOf(2) <= 1, `the first step on 2 threads came at step ${steps.indexOf(2)}: ${steps.join('')}`);
    });

    it('without the counters the same return waits for a probe (what they are for)', () => {
      const free: { cores: number | undefined } = { cores: 1 };
      const m = afterLoad(free);
      m.setCost({ 1: 90, 2: 50 });
      free.cores = undefined;
      const steps = m.run(500);
      assert.deepEqual([...new Set(steps)], [1], `threads per step: ${steps.join('')}`);
    });

    it('counters that show a core taken by others leave it on fewer threads', () => {
      const free: { cores: number | undefined } = { cores: 1 };
      const m = afterLoad(free);
      free.cores = 1.6;
      const steps = m.run(500);
      assert.deepEqual([...new Set(steps)], [1], `threads per step: ${steps.join('')}`);
    });

    it('through a mild slowdown with no other process on the cores it stays on all threads; without the counters it steps down', () => {
      // This process's own work beside a decode (a request arriving) makes 2 threads a little
      // slower than 1 for a few steps (55 against 45 ms a token: the replay's worker log).
      const run = (free: number | undefined) => {
        const m = machine(2, 0, () => free);
        m.setCost({ 1: 45, 2: 30 });
        m.run(5_000); // a probe of 1 thread has measured it
        m.setCost({ 1: 45, 2: 55 });
        m.run(200);
        return m.tuner.threads;
      };
      assert.equal(run(2), 2);
      assert.equal(run(undefined), 1);
      assert.equal(run(1.5), 1, 'another process on a core: the slowdown is real competition');
    });

    it('a slowdown over twice the cost of fewer threads moves down whatever the counters say', () => {
      const m = machine(2, 0, () => 2);
      m.setCost({ 1: 45, 2: 30 });
      m.run(5_000);
      m.setCost({ 1: 45, 2: 400 });
      m.run(1_000);
      assert.equal(m.tuner.threads, 1, m.changes.slice(-3).join(' | '));
    });

    it('counters that promise room a probe does not find are ignored for a while: under load, few slow steps', () => {
      // A container whose counters are the host's: they say free, 2 threads collapse all the same.
      const m = machine(2, 0, () => 2);
      m.setCost({ 1: 150, 2: 1000 });
      const steps = m.run(120_000);
      assert.equal(m.tuner.threads, 1);
      const slowMs = steps.filter((t) => t === 2).length * 1000;
      assert.ok(slowMs / 120_000 < 0.15, `${slowMs} ms of 120 s spent on 2 threads`);
    });
  });
});
