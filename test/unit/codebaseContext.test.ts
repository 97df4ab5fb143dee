import * as assert from 'node:assert/strict';
import { silentLog } from '../../src/common/log';
import { CodebaseContext, restMs } from '../../src/completion/codebaseContext';
import { blockEnd, chooseCodebaseExtras, type ChunkRef, type ExtraCandidate } from '../../src/completion/codebaseExtras';
import { defaultCodebaseLimits, lookUpCodebase, type CodebaseCursor, type CodebaseSources } from '../../src/completion/codebaseLookup';
import { identifiersNear } from '../../src/completion/codebaseQuery';
import { CompletionPipeline, type CompletionModel } from '../../src/completion/completionPipeline';
import { completionInputAt } from '../../src/completion/completionWindow';
import { ContextFeedScheduler } from '../../src/completion/contextFeedScheduler';
import { ContextRing } from '../../src/completion/contextRing';
import type { CompletionSettings } from '../../src/config/completionSettings';
import type { CompletionParams, CompletionResult } from '../../src/runtime/protocol';
import { FakeTimers } from './fakeTimers';

const lines = (text: string) => {
  const l = text.split('\n');
  return { lineCount: l.length, lineAt: (i: number) => l[i] };
};

const candidate = (file: string, startLine: number, endLine: number, text: string, kind: ExtraCandidate['kind'] = 'similar'): ExtraCandidate => ({ file, path: file, startLine, endLine, text, kind });

/** Lets every settled promise's continuation run (the fake sources answer at once). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

const helperFile = ['export function parseDuration(text: string): number {', '  const m = /^(\\d+)(ms|s)$/.exec(text);', '  if (!m) throw new Error(text);', '  return m[2] === "s" ? Number(m[1]) * 1000 : Number(m[1]);', '}', '', 'export const unrelated = 1;'].join('\n');
const mainFile = ['import { parseDuration } from "./duration";', '', 'export function timeoutOf(config: { timeout: string }) {', '  const ms = parseDuration(config.timeout);', '  ', '}'].join('\n');

/** Sources over two files in memory: `parseDuration` is defined on line 1 of duration.ts. */
function sources(overrides: Partial<CodebaseSources> = {}, files: Record<string, string> = { 'duration.ts': helperFile, 'main.ts': mainFile }): CodebaseSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    search: async () => [],
    definitions: async (_file, at) => {
      asked.push(at.name);
      return at.name === 'parseDuration' ? [{ file: 'duration.ts', startLine: 1, endLine: 1 }] : [];
    },
    read: async (file) => (files[file] === undefined ? undefined : { path: `src/${file}`, doc: lines(files[file]) }),
    ...overrides,
  };
}

const cursorIn = (file: string, text: string, line: number, window?: ChunkRef): CodebaseCursor => ({ file, doc: lines(text), line, window: window ?? { file, startLine: 1, endLine: text.split('\n').length } });

describe('codebase context: the identifiers near the cursor', () => {
  it('nearest lines first, each name once, no keywords and no short locals', () => {
    const doc = lines(['const far = loadConfig();', 'let i = 0;', 'return parseDuration(config.timeout);', 'if (ok) retryPolicy(i);'].join('\n'));
    const names = identifiersNear(doc, 2, 1, 10).map((n) => n.name);
    assert.deepEqual(names, ['parseDuration', 'config', 'timeout', 'retryPolicy'], 'the cursor line, then the one above (only `i`, too short) and below; `far` is out of the radius');
    assert.deepEqual(identifiersNear(doc, 2, 3, 2).map((n) => n.name), ['parseDuration', 'config'], 'at most `max`');
    const at = identifiersNear(doc, 2, 0, 1)[0];
    assert.deepEqual([at.line, at.character], [2, 7], 'where a definition provider is asked');
  });
});

describe('codebase context: choosing the extras', () => {
  it('leaves out the prompt\'s own window, overlaps, what the ring holds, and what passes the bound; most relevant last', () => {
    const chosen = chooseCodebaseExtras(
      [
        candidate('a.ts', 10, 20, 'function best() {}', 'definition'),
        candidate('cur.ts', 5, 8, 'inside the window'),
        candidate('a.ts', 15, 30, 'overlaps best'),
        candidate('b.ts', 1, 3, 'already in the ring'),
        candidate('c.ts', 1, 3, 'x'.repeat(400)),
        candidate('d.ts', 1, 3, 'small enough'),
      ],
      { file: 'cur.ts', startLine: 1, endLine: 50 },
      [{ path: 'b.ts', text: 'header\nalready in the ring\nfooter' }],
      20,
    );
    assert.deepEqual(chosen.map((c) => c.file), ['d.ts', 'a.ts'], 'c.ts (100 tokens) passes the 20-token bound; the best comes last');
  });

  it('a definition that names only its first line is the block under it', () => {
    const ts = lines(['export function f(a) {', '  if (a) {', '    return 1;', '  }', '  return 2;', '}', 'const after = 3;'].join('\n'));
    assert.equal(blockEnd(ts, 0, 40), 5, 'up to the closing brace');
    assert.equal(blockEnd(ts, 0, 3), 2, 'at most maxLines');
    const py = lines(['def f(a):', '    if a:', '        return 1', '', '    return 2', '', 'def g():', '    pass'].join('\n'));
    assert.equal(blockEnd(py, 0, 40), 4, 'until the next line back at its indentation');
  });
});

describe('codebase context: one look-up', () => {
  it('brings the definition of a helper from another file, cut to its block, and not what the prompt has', async () => {
    const src = sources({ search: async () => [{ file: 'main.ts', startLine: 1, endLine: 6 }, { file: 'duration.ts', startLine: 7, endLine: 7 }] });
    const names = identifiersNear(lines(mainFile), 4, 8, 24);
    const extras = await lookUpCodebase(cursorIn('main.ts', mainFile, 4), names, () => [], src, defaultCodebaseLimits, new AbortController().signal);
    assert.deepEqual(
      extras.map((e) => [e.path, e.startLine, e.endLine, e.kind]),
      [
        ['src/duration.ts', 7, 7, 'similar'],
        ['src/duration.ts', 1, 5, 'definition'],
      ],
      'main.ts is the prompt\'s own window; the definition comes last (nearest the prefix)',
    );
    assert.match(extras[1].text, /^export function parseDuration[\s\S]*\n}$/);
    assert.ok(src.asked.includes('parseDuration'));
  });

  it('from the file being completed, outside the window: a definition, never a merely similar chunk', async () => {
    const src = sources({
      search: async () => [{ file: 'main.ts', startLine: 3, endLine: 4 }],
      definitions: async (_file, at) => (at.name === 'timeoutOf' ? [{ file: 'main.ts', startLine: 1, endLine: 2 }] : []),
    });
    const window = { file: 'main.ts', startLine: 5, endLine: 6 };
    const extras = await lookUpCodebase(cursorIn('main.ts', mainFile, 4, window), identifiersNear(lines(mainFile), 4, 8, 24), () => [], src, defaultCodebaseLimits, new AbortController().signal);
    assert.deepEqual(extras.map((e) => [e.startLine, e.kind]), [[1, 'definition']]);
  });

  it('a file its reader refuses (the content policy) sends nothing', async () => {
    const src = sources({ read: async (file) => (file === 'duration.ts' ? undefined : { path: file, doc: lines(mainFile) }) });
    const extras = await lookUpCodebase(cursorIn('main.ts', mainFile, 4), identifiersNear(lines(mainFile), 4, 8, 24), () => [], src, defaultCodebaseLimits, new AbortController().signal);
    assert.deepEqual(extras, []);
  });

  it('what is not back within the time budget is left out; the rest is used', async () => {
    const timers = new FakeTimers();
    let stuck: AbortSignal | undefined;
    const src = sources({
      search: () => new Promise(() => undefined), // a search that never answers
      definitions: async (_file, at, signal) => {
        if (at.name === 'config') {
          stuck = signal;
          return new Promise(() => undefined);
        }
        return at.name === 'parseDuration' ? [{ file: 'duration.ts', startLine: 1, endLine: 1 }] : [];
      },
    });
    const result: { extras?: ExtraCandidate[] } = {};
    const extras = () => result.extras;
    void lookUpCodebase(cursorIn('main.ts', mainFile, 4), identifiersNear(lines(mainFile), 4, 8, 24), () => [], src, defaultCodebaseLimits, new AbortController().signal, timers).then((e) => (result.extras = e));
    await settle();
    assert.equal(extras(), undefined, 'still waiting within the budget');
    timers.advanceTo(defaultCodebaseLimits.budgetMs);
    await settle();
    assert.ok(stuck?.aborted, 'the late look-up is told to stop');
    assert.deepEqual(extras()?.map((e) => e.path), ['src/duration.ts']);
  });
});

describe('codebase context: when it looks up, and where the extras go', () => {
  const settings: CompletionSettings = { maxTokens: 16, maxLines: 8, timeBudgetMs: 0, maxPrefixTokens: 512, maxSuffixTokens: 128, maxExtraTokens: 2048, debounceMinMs: 0, debounceMaxMs: 0, speculate: false };

  function setup(src: CodebaseSources) {
    const timers = new FakeTimers();
    const ring = new ContextRing();
    const admitted: string[] = [];
    const scheduler = new ContextFeedScheduler<string>({
      ring,
      documentOf: (path) => ({ path, lineCount: 0, lineAt: () => '' }),
      admits: (path, text) => {
        admitted.push(path);
        return !text.includes('CANARY');
      },
      lastCompletionAt: () => -Infinity,
      onChanged: () => undefined,
      timers,
    });
    const context = new CodebaseContext({ sources: src, limits: () => defaultCodebaseLimits, present: () => ring.list(), offer: (e) => scheduler.offer(e.path, e.startLine - 1, e.text), timers });
    return { timers, ring, context, admitted };
  }

  it('after the cursor rests, the helper\'s definition enters the ring and the next request carries it', async () => {
    const { timers, ring, context } = setup(sources());
    const cursor = () => cursorIn('main.ts', mainFile, 4);
    context.cursorMoved(cursor);
    timers.advanceTo(restMs - 1);
    await settle();
    assert.equal(ring.list().length, 0, 'nothing while the cursor still moves');
    timers.advanceTo(restMs);
    await settle();
    timers.advanceTo(restMs + 5000); // the feed scheduler's quiet wait
    assert.deepEqual(ring.list().map((c) => c.path), ['src/duration.ts']);

    const sent: CompletionParams[] = [];
    const model: CompletionModel = { complete: async (p): Promise<CompletionResult> => (sent.push(p), { text: '', stats: { reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, promptMs: 0, generateMs: 0, totalMs: 0, stop: 'eog' } }) };
    const pipeline = new CompletionPipeline(model, () => settings, ring, silentLog);
    const doc = lines(mainFile);
    await pipeline.provide(completionInputAt(doc, 4, 2, { prefixLines: 64, suffixLines: 16, maxPrefixTokens: 512, maxSuffixTokens: 128 }), new AbortController().signal, true);
    assert.match(sent[0].extra?.map((c) => c.text).join('\n') ?? '', /export function parseDuration\(text: string\)/);
    context.dispose();
  });

  it('asks once for the same question, again for a new one, and drops the look-up a newer one replaced', async () => {
    let pending: ((refs: ChunkRef[]) => void) | undefined;
    let firstSignal: AbortSignal | undefined;
    const searches: string[] = [];
    const src = sources({
      definitions: async () => [],
      search: async (query) => {
        searches.push(query);
        if (searches.length === 1) return new Promise<ChunkRef[]>((resolve) => (pending = resolve));
        return [{ file: 'duration.ts', startLine: 1, endLine: 5 }];
      },
    });
    const { timers, ring, context } = setup({
      ...src,
      // The first look-up's definitions are back before it is replaced: they must not enter either.
      definitions: async (_f, _a, signal) => {
        firstSignal ??= signal;
        return signal === firstSignal ? [{ file: 'duration.ts', startLine: 7, endLine: 7 }] : [];
      },
    });
    context.cursorMoved(() => cursorIn('main.ts', mainFile, 4));
    timers.advanceTo(restMs);
    await settle();
    context.cursorMoved(() => cursorIn('main.ts', mainFile, 4));
    timers.advanceTo(2 * restMs);
    await settle();
    assert.equal(searches.length, 1, 'the same file and identifiers: no second look-up');
    const other = mainFile.replace('parseDuration(config.timeout)', 'formatBytes(config.size)');
    context.cursorMoved(() => cursorIn('main.ts', other, 4));
    timers.advanceTo(3 * restMs);
    await settle();
    assert.equal(searches.length, 2);
    assert.ok(firstSignal?.aborted, 'the replaced look-up is told to stop');
    pending?.([{ file: 'duration.ts', startLine: 7, endLine: 7 }]);
    await settle();
    timers.advanceTo(10_000);
    assert.deepEqual(ring.list().map((c) => c.text.split('\n')[0]), ['export function parseDuration(text: string): number {'], 'only the newer look-up\'s answer enters');
    context.dispose();
  });

  it('what the content policy refuses at the ring\'s door never enters', async () => {
    const secret = helperFile.replace('const unrelated = 1', 'const token = "CANARY"');
    const { timers, ring, context, admitted } = setup(sources({ search: async () => [{ file: 'duration.ts', startLine: 7, endLine: 7 }] }, { 'duration.ts': secret, 'main.ts': mainFile }));
    context.cursorMoved(() => cursorIn('main.ts', mainFile, 4));
    timers.advanceTo(restMs);
    await settle();
    timers.advanceTo(10_000);
    assert.equal(admitted.length, 2, 'both extras were offered');
    assert.deepEqual(ring.list().map((c) => c.text.split('\n')[0]), ['export function parseDuration(text: string): number {']);
    context.dispose();
  });
});
