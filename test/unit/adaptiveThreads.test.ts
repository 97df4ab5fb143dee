import * as assert from 'node:assert/strict';
import { AdaptiveThreads } from '../../src/runtime/worker/adaptiveThreads';

/**
 * The worker's two tuners (prompt slices and generated tokens) share one source of free cores.
 * The steps are a simulated 2-core machine's, on a fake clock (AdaptiveThreads.step times real
 * work; the engine test "threads adapt to a busy machine" runs that with the real worker).
 */
describe('AdaptiveThreads (the worker\'s thread limit)', () => {
  it('both tuners try all threads again as soon as the counters show a free core', () => {
    let t = 0;
    let loaded = true;
    const room = { beyond: (own: number) => 2 - (loaded ? 1 : 0) - own };
    const adaptive = new AdaptiveThreads(2, () => undefined, true, undefined, () => t, room);
    const step = (tuner: typeof adaptive.decode) => {
      const threads = tuner.next();
      const ms = loaded ? (threads === 2 ? 1000 : 150) : threads === 2 ? 50 : 90;
      t += ms;
      tuner.observe(threads, 1, ms);
      return threads;
    };
    // A minute beside a competitor: both move to 1 thread, and their probes back off.
    while (t < 60_000) {
      step(adaptive.decode);
      step(adaptive.prompt);
    }
    assert.equal(adaptive.decode.threads, 1);
    assert.equal(adaptive.prompt.threads, 1);
    loaded = false;
    // The next step of each already tries 2 threads, and a few steps later both use them.
    assert.equal(step(adaptive.decode), 2);
    assert.equal(step(adaptive.prompt), 2);
    for (let i = 0; i < 3; i++) [adaptive.decode, adaptive.prompt].forEach(step);
    assert.equal(adaptive.threads, 2);
    assert.equal(adaptive.prompt.threads, 2);
  });
});
