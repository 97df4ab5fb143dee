/**
 * The completion rules must keep what a perfect model says (issue 13.5). An oracle model answers
 * each wait point of test/fixtures/quality/cases.json (real files from npm packages, typed back in
 * by bench:quality's replay; packages and versions in the fixture) with what the user really typed
 * next, and Sovereign's real CompletionPipeline (the worker's stops replayed on the oracle's
 * tokens, post-processing, the whitespace-line rule) decides what is shown. The bars are the
 * scores measured when the rules were last changed, less a small margin; a rule that starts to cut
 * correct text, or to let a copy of the text below through, fails here.
 *
 * Tokens come from bench/quality/tokenizer.ts's approximate tokenizer (the bench uses the real
 * Qwen2.5-Coder vocabulary); time budgets run at 37.1 tokens/s (bench/results/completion.json).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoClosedCases } from '../../bench/quality/cases';
import type { QualityFixture } from '../../bench/quality/fixture';
import type { OracleVariant } from '../../bench/quality/oracle';
import { ratios, total } from '../../bench/quality/score';
import { runCases, type WaitResult } from '../../bench/quality/sides';
import { approximateTokenizer } from '../../bench/quality/tokenizer';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'quality', 'cases.json'), 'utf8')) as QualityFixture;
const run = (variant: OracleVariant) => runCases(fixture.cases, { variant, tokenizer: approximateTokenizer, msPerToken: 1000 / 37.1 });
const indentOf = (line: string) => line.length - line.trimStart().length;

describe('oracle fidelity of the completion rules (real files, a perfect model)', () => {
  it('the fixture is the one measured: 40 wait points of real code', () => {
    assert.equal(fixture.cases.length, 40);
    assert.ok(fixture.files.every((f) => f.package), 'each file names its package and version');
  });

  it('runOn (the truth, then a copy of the text below): nearly all correct text shown, no wrong text', async () => {
    const r = ratios(total((await run('runOn')).map((w) => w.score)));
    // measured 0.856 / 0 / 0.8 (correct ÷ available, wrong ÷ available, exact block share)
    assert.ok(r.fidelity >= 0.84, `correct chars shown ÷ available ${r.fidelity}`);
    assert.ok(r.wrongPerAvailable <= 0.02, `wrong chars shown ÷ available ${r.wrongPerAvailable}`);
    assert.ok(r.exactBlockShare >= 0.75, `exactly the rest of the block at ${r.exactBlockShare} of wait points`);
  });

  it('exact (the truth, then end of generation): kept, three-line blocks and block-closing lines included', async () => {
    const waits = await run('exact');
    const r = ratios(total(waits.map((w) => w.score)));
    assert.ok(r.fidelity >= 0.84, `correct chars shown ÷ available ${r.fidelity}`);
    assert.equal(r.wrongPerAvailable, 0);
    const multi = waits.filter((w) => w.case.truth.trimEnd().split('\n').length >= 3);
    const kept = multi.filter((w) => w.score.exactBlock).length;
    assert.ok(multi.length >= 10 && kept >= 8, `three-line truths shown whole: ${kept} of ${multi.length} (measured 8 of 13)`);
    const closing = waits.filter((w) => closesTheBlock(w));
    assert.ok(closing.length >= 1, `fixture cases whose truth ends with the block's closing line: ${closing.length}`);
    assert.deepEqual(closing.filter((w) => !w.score.exactBlock).map((w) => `${w.case.file}:${w.case.line}`), [], 'the closing line survives');
  });

  it('wrongTail (the truth, then wrong lines): the correct text is kept and most wrong lines stopped', async () => {
    const r = ratios(total((await run('wrongTail')).map((w) => w.score)));
    assert.ok(r.fidelity >= 0.84, `correct chars shown ÷ available ${r.fidelity}`);
    assert.ok(r.wrongPerAvailable <= 0.45, `wrong chars shown ÷ available ${r.wrongPerAvailable} (measured 0.415)`);
  });

  it('text right of the cursor (closing brackets): the single line is shown without a second copy of them', async () => {
    const closed = autoClosedCases(fixture.cases);
    assert.ok(closed.length >= 5, `cases with closers right of the cursor: ${closed.length}`);
    for (const variant of ['runOn', 'wrongTail'] as const) {
      const waits = await runCases(closed, { variant, tokenizer: approximateTokenizer, msPerToken: 1000 / 37.1 });
      const t = total(waits.map((w) => w.score));
      assert.equal(t.correct, t.available, `${variant}: all correct text shown`);
      assert.equal(t.wrong, 0, `${variant}: no wrong text (the brackets already there, the next lines)`);
    }
  });

  it('whitespace only: nothing is shown', async () => {
    const t = total((await run('whitespace')).map((w) => w.score));
    assert.equal(t.shown, 0);
  });
});

/** The truth's last line only closes brackets, indented less than the cursor's line (the block ends there). */
function closesTheBlock(w: WaitResult): boolean {
  const lines = w.case.truth.trimEnd().split('\n');
  if (lines.length < 2) return false;
  const last = lines[lines.length - 1];
  const cursorLine = w.case.prefix.slice(w.case.prefix.lastIndexOf('\n') + 1);
  return /^[)\]}]+[;,]?$/.test(last.trim()) && indentOf(last) < indentOf(cursorLine);
}
