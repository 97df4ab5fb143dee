/**
 * The completion bench lets a side type only when the other has stopped working. These tests drive
 * both drivers with stand-ins for the model (llama-server's /infill through the `infill` option
 * bench:quality uses; a CompletionModel for Sovereign's worker): the models are not what is under
 * test, the drivers' bookkeeping is.
 */
import assert from 'node:assert/strict';
import { LlamaVscodeDriver, llamaVscodeDefaults } from '../../bench/llamaVscodeDriver';
import { SovereignDriver } from '../../bench/sovereignDriver';
import type { DocState } from '../../bench/driver';
import type { CompletionModel } from '../../src/completion/completionPipeline';
import type { CompletionSettings } from '../../src/config/completionSettings';

const lines = ['function add(a, b) {', '  return a + b;', '}', '', 'function sub(a, b) {', '  return ', '}'];
const doc = (version: number, character: number): DocState => ({ fileName: '/w/math.js', rel: 'math.js', version, lines, line: 5, character });

describe('completion bench: a side is idle only when nothing of it is left to run', () => {
  it("llama.vscode's driver: a call waiting for the request before it keeps the side busy", async () => {
    let started = 0;
    let answered = 0;
    const infill = async (): Promise<{ status: number; body: string }> => {
      started++;
      await new Promise((r) => setTimeout(r, 200));
      answered++;
      return { status: 200, body: JSON.stringify({ content: '', timings: {} }) };
    };
    const driver = new LlamaVscodeDriver({ ...llamaVscodeDefaults('http://127.0.0.1:9'), ring_update_ms: 60_000 }, { seed: 1, samplers: [], infill });
    try {
      // The first keystroke's request runs; the second keystroke's call waits for it (llama.vscode
      // polls every DELAY_BEFORE_COMPL_REQUEST ms), and sends its own once it is done.
      driver.change(doc(1, 8));
      driver.change(doc(2, 9));
      assert.equal(await driver.quiesce(10_000), true);
      assert.equal(started, 2, 'the waiting call sent its request before the side counted as idle');
      assert.equal(answered, 2, 'and it was answered');
    } finally {
      await driver.dispose();
    }
  });

  it("Sovereign's driver: a provide still in its debounce keeps the side busy", async () => {
    let started = 0;
    let answered = 0;
    const runtime: CompletionModel = {
      complete: async () => {
        started++;
        await new Promise((r) => setTimeout(r, 100));
        answered++;
        return { text: 'a - b;', stats: { reusedTokens: 0, evaluatedTokens: 10, generatedTokens: 4, promptMs: 50, generateMs: 50, totalMs: 100, stop: 'eog' } };
      },
    };
    const settings: CompletionSettings = { maxTokens: 16, maxLines: 10, timeBudgetMs: 0, maxPrefixTokens: 1536, maxSuffixTokens: 256, maxExtraTokens: 0, promptBudgetMs: 0, debounceMinMs: 100, debounceMaxMs: 120, speculate: false };
    const driver = new SovereignDriver(runtime, { settings, prefixLines: 256, suffixLines: 64, repoName: 'workspace' });
    try {
      // The keystroke's provide waits out the debounce before it calls the model: nothing runs yet.
      driver.change(doc(2, 9));
      assert.equal(await driver.quiesce(10_000), true);
      assert.equal(started, 1, 'the debounced request ran before the side counted as idle');
      assert.equal(answered, 1, 'and it was answered');
    } finally {
      await driver.dispose();
    }
  });
});
