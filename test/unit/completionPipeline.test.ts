import * as assert from 'node:assert/strict';
import { CancelledError } from '../../src/common/errors';
import { silentLog } from '../../src/common/log';
import { CompletionPipeline, type CompletionInput } from '../../src/completion/completionPipeline';
import type { CompletionSettings } from '../../src/config/completionSettings';
import { ContextRing } from '../../src/completion/contextRing';
import type { CompletionParams, CompletionResult } from '../../src/runtime/protocol';

/**
 * The request flow is pure logic; a scripted runtime stands in for the worker here so that model
 * calls can be counted exactly (the real worker is exercised by the engine and UI layers).
 */
class ScriptedRuntime {
  calls: CompletionParams[] = [];
  answers: string[] = [];
  hold: Promise<void> | undefined;
  async complete(params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    this.calls.push(params);
    if (this.hold) await this.hold;
    if (signal?.aborted) throw new CancelledError();
    const text = params.maxTokens === 0 ? '' : (this.answers.shift() ?? '');
    return { text, stats: { reusedTokens: 0, evaluatedTokens: 1, generatedTokens: 1, promptMs: 1, generateMs: 1, totalMs: 2, stop: 'maxTokens' } };
  }
}

const settings: CompletionSettings = {
  maxTokens: 16,
  maxLines: 8,
  timeBudgetMs: 0,
  maxPrefixTokens: 1000,
  maxSuffixTokens: 100,
  maxExtraTokens: 100,
  debounceMinMs: 0,
  debounceMaxMs: 0,
  speculate: false,
};

function input(linePrefix: string, lineSuffix = '', before = 'def f(x):'): CompletionInput {
  return { prefix: `${before}\n${linePrefix}`, suffix: `${lineSuffix}\n`, linePrefix, lineSuffix, linesBelow: [''] };
}

const live = () => new AbortController().signal;

describe('CompletionPipeline (request flow)', () => {
  it('asks the model once and serves the same position from the cache', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['return x + 1'];
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    const a = await pipeline.provide(input('    '), live());
    assert.equal(a?.text, 'return x + 1');
    assert.equal(a?.source, 'model');
    const b = await pipeline.provide(input('    '), live());
    assert.equal(b?.source, 'cache');
    assert.equal(rt.calls.length, 1);
  });

  it('type-through: typing the start of a shown suggestion costs no model call', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['return x + 1'];
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    await pipeline.provide(input('    '), live());
    const typed = await pipeline.provide(input('    ret'), live());
    assert.deepEqual([typed?.text, typed?.source], ['urn x + 1', 'typeThrough']);
    assert.equal(rt.calls.length, 1);
    assert.equal(pipeline.counters.typeThroughHits, 1);
    // Typing something else is a miss and asks the model.
    rt.answers = ['pass'];
    const other = await pipeline.provide(input('    p'), live());
    assert.equal(other?.source, 'model');
    assert.equal(rt.calls.length, 2);
  });

  it('completes a whitespace-only line from column 0 and removes the typed indentation', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['    return x'];
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    const s = await pipeline.provide(input('    '), live());
    assert.equal(rt.calls[0].prefix, 'def f(x):\n', 'the prefix ends at column 0');
    assert.equal(rt.calls[0].indent, 4);
    assert.deepEqual([s?.text, s?.replaceIndent], ['return x', false]);
  });

  it('asks for one line when text sits right of the cursor, and skips auto-trigger before long text', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['a, b)'];
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    const s = await pipeline.provide(input('    g(', ')'), live());
    assert.equal(rt.calls[0].singleLine, true);
    assert.equal(s?.text, 'a, b');
    assert.equal(await pipeline.provide(input('    h(', 'some, long, arguments)'), live()), undefined);
    assert.equal(rt.calls.length, 1, 'no model call before long text');
    rt.answers = ['x, '];
    assert.equal((await pipeline.provide(input('    h(', 'some, long, arguments)'), live(), true))?.text, 'x,');
  });

  it('a cancelled request returns nothing and counts as cancelled', async () => {
    const rt = new ScriptedRuntime();
    let release!: () => void;
    rt.hold = new Promise((r) => (release = r));
    const complete = rt.complete.bind(rt);
    const asked = new Promise<void>((resolve) => (rt.complete = (params, signal) => (resolve(), complete(params, signal))));
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, silentLog);
    const c = new AbortController();
    const pending = pipeline.provide(input('    '), c.signal);
    await asked; // the request is with the runtime (was: a 5 ms sleep)
    c.abort();
    release();
    assert.equal(await pending, undefined);
    assert.equal(pipeline.counters.cancelled, 1);
  });

  it('speculates the suggestion after the shown one; accepting it needs no new model call', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['    x = 1', '\n    y = 2'];
    const pipeline = new CompletionPipeline(rt, () => ({ ...settings, speculate: true }), undefined, silentLog);
    const first = await pipeline.provide(input('    '), live());
    assert.equal(first?.text, 'x = 1');
    // The user presses Tab: the line now holds the suggestion.
    const next = await pipeline.provide(input('    x = 1'), live());
    assert.equal(rt.calls.length, 2, 'only the speculative call');
    assert.equal(rt.calls[1].prefix, 'def f(x):\n    x = 1');
    assert.deepEqual([next?.text, next?.source], ['\n    y = 2', 'cache']);
  });

  it('passes the extra-context ring, oldest chunk first, and warms up with no generation', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['pass'];
    const ring = new ContextRing();
    ring.add({ path: 'a.py', text: 'A = 1' });
    ring.add({ path: 'b.py', text: 'B = 2' });
    const pipeline = new CompletionPipeline(rt, () => settings, ring, silentLog);
    await pipeline.provide(input('    '), live());
    assert.deepEqual(rt.calls[0].extra?.map((c) => c.path), ['a.py', 'b.py']);
    await pipeline.warmUp(live());
    assert.equal(rt.calls[1].maxTokens, 0);
  });

  it('sends the ring only while the extra context is on, switching with the setting at each request', async () => {
    const rt = new ScriptedRuntime();
    const ring = new ContextRing();
    ring.add({ path: 'a.py', text: 'A = 1' });
    let current: CompletionSettings = { ...settings, maxExtraTokens: 0 };
    const pipeline = new CompletionPipeline(rt, () => current, ring, silentLog);
    await pipeline.provide(input('    ', '', 'def f():'), live());
    current = { ...settings, maxExtraTokens: 100 };
    await pipeline.provide(input('    ', '', 'def g():'), live());
    current = { ...settings, maxExtraTokens: 0 };
    await pipeline.warmUp(live());
    assert.deepEqual(
      rt.calls.map((c) => [c.extra?.map((x) => x.path), c.maxExtraTokens]),
      [
        [[], 0],
        [['a.py'], 100],
        [[], 0],
      ],
    );
  });

  it('takes the debounce bounds of each request: a shorter debounce applies to the next keystroke', async () => {
    const rt = new ScriptedRuntime();
    rt.answers = ['pass'];
    let current: CompletionSettings = { ...settings, debounceMinMs: 60_000, debounceMaxMs: 60_000 };
    const pipeline = new CompletionPipeline(rt, () => current, undefined, silentLog);
    current = { ...settings, debounceMinMs: 0, debounceMaxMs: 0 };
    // Typed inside a word (not asked for, no word end): it waits the debounce, now 0 ms; a
    // minute's wait would time the test out.
    const suggestion = await pipeline.provide(input('    x'), live(), false);
    assert.equal(suggestion?.text, 'pass');
  });

  it('leaves one debug line per request: latency, tokens and stop reason; cache hits and cancellations too', async () => {
    const lines: string[] = [];
    const log = { ...silentLog, debug: (m: string) => lines.push(m) };
    const rt = new ScriptedRuntime();
    rt.answers = ['return x + 1', ''];
    let t = 0;
    const pipeline = new CompletionPipeline(rt, () => settings, undefined, log, () => (t += 5));
    await pipeline.provide(input('    '), live());
    await pipeline.provide(input('    '), live());
    await pipeline.provide(input('    y = ', '', 'def g(y):'), live());
    const c = new AbortController();
    c.abort();
    rt.hold = Promise.resolve();
    await pipeline.provide(input('    z'), c.signal, true);
    assert.deepEqual(lines, [
      'completion: 5 ms (model 2 ms: prompt 1, generation 1), tokens reused 0, evaluated 1, generated 1; stop: maxTokens; shown 12 chars',
      'completion: 5 ms from cache, no model call',
      'completion: 5 ms (model 2 ms: prompt 1, generation 1), tokens reused 0, evaluated 1, generated 1; stop: maxTokens; nothing shown (post-processing left no text)',
      'completion: cancelled after 5 ms (typed on)',
    ]);
  });
});
