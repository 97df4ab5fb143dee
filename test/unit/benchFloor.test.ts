/**
 * The completion bench's floor: what a suggestion would cost at llama-bench's speed. Generated
 * tokens cost more the deeper the cache they attend to, so the floor takes each token at the speed
 * llama-bench measured at the request's own depth. Pure arithmetic on made-up rates and a made-up
 * wait point: the replay that produces real ones takes minutes and a model.
 */
import assert from 'node:assert/strict';
import { waitFigures } from '../../bench/completion/figures';
import type { RunResult } from '../../bench/completion/harness';
import { FLOOR_DEPTH, msPerGeneratedToken } from '../../bench/completion/rates';

describe('completion bench: the floor generates at the depth of each request', () => {
  // 40 t/s with an empty cache (25 ms a token), 20 t/s at FLOOR_DEPTH (50 ms).
  const rates = { pp: 500, tg: 40, tgDeep: 20 };

  it('interpolates ms a token linearly between depth 0 and FLOOR_DEPTH, and beyond it', () => {
    assert.equal(msPerGeneratedToken(rates, 0), 25);
    assert.equal(msPerGeneratedToken(rates, FLOOR_DEPTH / 2), 37.5);
    assert.equal(msPerGeneratedToken(rates, FLOOR_DEPTH), 50);
    assert.equal(msPerGeneratedToken(rates, 2 * FLOOR_DEPTH), 75);
  });

  it('never makes a token cheaper than at depth 0: a noisy deep sample, or none, means no slowdown', () => {
    assert.equal(msPerGeneratedToken({ pp: 500, tg: 40, tgDeep: 50 }, FLOOR_DEPTH), 25);
    assert.equal(msPerGeneratedToken({ pp: 500, tg: 40 }, FLOOR_DEPTH), 25);
  });

  it("a wait point's floor uses its prompt's depth, and the depth-0 floor is reported beside it", () => {
    // 2 typed tokens; a 1000-token prompt; 16 tokens generated: the mean depth is 1008.
    const generated = 16;
    const depth = 1000 + generated / 2;
    const floorMs = (2 / rates.pp) * 1000 + generated * msPerGeneratedToken(rates, depth);
    const shownMs = 1.1 * floorMs;
    const run: RunResult = {
      waits: [{
        kind: 'wait', file: 'a.ts', version: 1, keyAt: 0, typed: ['ab'], shownMs, timedOut: false, empty: false,
        outcome: { version: 1, at: shownMs, text: 'x', source: 'model', breakdown: { debounceMs: 0, staleMs: 0, promptMs: 30, generateMs: 400, promptTokens: 1000, evaluatedTokens: 2, reusedTokens: 998, generatedTokens: generated } },
      }],
      keys: [],
      outcomes: new Map(),
      wallMs: 1,
    };
    const figures = waitFigures(run, rates, new Map([['ab', 2]]));
    assert.equal(figures.floor_ratio_p50, 1.1);
    assert.equal(figures.floor_ms_p50, Math.round(floorMs * 10) / 10);
    const depth0 = (2 / rates.pp + generated / rates.tg) * 1000;
    assert.equal(figures.floor_ratio_p50_depth0, Math.round((shownMs / depth0) * 100) / 100);
  });
});
