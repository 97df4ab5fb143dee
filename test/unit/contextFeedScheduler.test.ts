import * as assert from 'node:assert/strict';
import { CompletionActivity } from '../../src/completion/completionActivity';
import type { CompletionModel } from '../../src/completion/completionPipeline';
import { chunkLines, ContextFeedScheduler, quietMs, type FeedDocument } from '../../src/completion/contextFeedScheduler';
import { ContextRing } from '../../src/completion/contextRing';
import type { CompletionParams, CompletionResult } from '../../src/runtime/protocol';
import { FakeTimers } from './fakeTimers';

function file(path: string, lines: number): FeedDocument {
  return { path, lineCount: lines, lineAt: (i) => `${path} line ${i}` };
}

function setup(docs: Record<string, FeedDocument | undefined>, lastCompletionAt: () => number = () => -Infinity, admits: (key: string, text: string) => boolean = () => true) {
  const timers = new FakeTimers();
  const ring = new ContextRing();
  const changes: number[] = [];
  const scheduler = new ContextFeedScheduler<string>({ ring, documentOf: (k) => docs[k], admits, lastCompletionAt, onChanged: () => changes.push(timers.now()), timers });
  return { timers, ring, changes, scheduler };
}

describe('ContextFeedScheduler (when offered code enters the ring)', () => {
  it('a chunk the content policy refuses never enters, and the others still do', () => {
    const { timers, ring, changes, scheduler } = setup({ a: file('a.ts', 10), b: file('b.ts', 10) }, () => -Infinity, (key, text) => key !== 'a' && !text.includes('\0'));
    scheduler.offer('a', 0);
    scheduler.offer('b', 0);
    scheduler.offer('b', 0, 'copied\0binary');
    timers.advanceTo(250);
    assert.deepEqual(ring.list().map((c) => c.path), ['b.ts']);
    assert.equal(changes.length, 1);
  });

  it('with no completion yet, an offer enters 250 ms later, as one chunk of 64 lines around the line', () => {
    const { timers, ring, changes, scheduler } = setup({ a: file('a.ts', 500) });
    scheduler.offer('a', 200);
    timers.advanceTo(249);
    assert.equal(ring.list().length, 0);
    assert.equal(scheduler.pendingCount, 1);
    timers.advanceTo(250);
    const [chunk] = ring.list();
    assert.equal(chunk.path, 'a.ts');
    const lines = chunk.text.split('\n');
    assert.equal(lines.length, chunkLines);
    assert.equal(lines[0], 'a.ts line 168');
    assert.equal(scheduler.pendingCount, 0);
    assert.deepEqual(changes, [250], 'one warm-up for the change');
  });

  it('waits until 3 s after the last completion ended', () => {
    const { timers, ring, scheduler } = setup({ a: file('a.ts', 10) }, () => 1000);
    timers.advanceTo(1500);
    scheduler.offer('a', 0);
    timers.advanceTo(1000 + quietMs - 1);
    assert.equal(ring.list().length, 0);
    timers.advanceTo(1000 + quietMs);
    assert.equal(ring.list().length, 1);
  });

  it('a completion that runs when the flush comes puts it off until 3 s after that one', () => {
    let last = -Infinity;
    const { timers, ring, scheduler } = setup({ a: file('a.ts', 10) }, () => last);
    scheduler.offer('a', 0);
    timers.advanceTo(100);
    last = 100; // a completion ended at 100
    timers.advanceTo(250);
    assert.equal(ring.list().length, 0);
    timers.advanceTo(100 + quietMs - 1);
    assert.equal(ring.list().length, 0);
    timers.advanceTo(100 + quietMs);
    assert.equal(ring.list().length, 1);
  });

  it('offers that come together enter together, with one warm-up', () => {
    const { timers, ring, changes, scheduler } = setup({ a: file('a.ts', 200), b: file('b.ts', 10) });
    scheduler.offer('a', 0);
    timers.advanceTo(100);
    scheduler.offer('a', 150);
    scheduler.offer('b', 3);
    assert.equal(timers.scheduled, 1, 'each offer replaces the pending timer');
    timers.advanceTo(350);
    assert.deepEqual(ring.list().map((c) => c.path), ['a.ts', 'a.ts', 'b.ts']);
    assert.deepEqual(changes, [350]);
  });

  it('cuts the chunk from the document as it is at flush time, and skips one that is gone', () => {
    const docs: Record<string, FeedDocument | undefined> = { a: file('a.ts', 10), b: file('b.ts', 10) };
    const { timers, ring, scheduler } = setup(docs);
    scheduler.offer('a', 0);
    scheduler.offer('b', 0);
    docs.a = { path: 'a.ts', lineCount: 1, lineAt: () => 'edited since the offer' };
    docs.b = undefined;
    timers.advanceTo(250);
    assert.deepEqual(ring.list(), [{ path: 'a.ts', text: 'edited since the offer' }]);
  });

  it('an offered text (a copied selection) enters as it is', () => {
    const { timers, ring, scheduler } = setup({ a: file('a.ts', 100) });
    scheduler.offer('a', 40, 'copied();');
    timers.advanceTo(250);
    assert.deepEqual(ring.list(), [{ path: 'a.ts', text: 'copied();' }]);
  });

  it('no warm-up when nothing new entered the ring', () => {
    const { timers, changes, scheduler } = setup({ a: file('a.ts', 10), gone: undefined });
    scheduler.offer('a', 0);
    timers.advanceTo(250);
    scheduler.offer('a', 0);
    scheduler.offer('gone', 0);
    timers.advanceTo(500);
    assert.equal(scheduler.pendingCount, 0, 'the second flush ran');
    assert.deepEqual(changes, [250]);
  });

  it('after dispose nothing is pending, scheduled or offered', () => {
    const { timers, ring, scheduler } = setup({ a: file('a.ts', 10) });
    scheduler.offer('a', 0);
    scheduler.dispose();
    assert.equal(timers.scheduled, 0);
    scheduler.offer('a', 0);
    assert.equal(timers.scheduled, 0);
    assert.equal(scheduler.pendingCount, 0);
    assert.equal(ring.list().length, 0);
  });
});

/** A runtime whose answers the test releases one by one. */
class HeldRuntime implements CompletionModel {
  private releases: (() => void)[] = [];
  complete(_params: CompletionParams): Promise<CompletionResult> {
    return new Promise((resolve) => {
      this.releases.push(() => resolve({ text: '', stats: { reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, promptMs: 0, generateMs: 0, totalMs: 0, stop: 'maxTokens' } }));
    });
  }
  release(): void {
    this.releases.shift()?.();
  }
}

const params = (maxTokens: number): CompletionParams => ({ prefix: 'x', suffix: '', maxTokens, maxPrefixTokens: 16, maxSuffixTokens: 16 });

describe('CompletionActivity (quiet since the last completion ENDED)', () => {
  it('is now while a completion runs, and the time it ended afterwards', async () => {
    let time = 1000;
    const activity = new CompletionActivity(() => time);
    const held = new HeldRuntime();
    const runtime = activity.track(held);
    assert.equal(activity.lastActiveAt(), -Infinity);
    const done = runtime.complete(params(16));
    time = 4000;
    assert.equal(activity.lastActiveAt(), 4000, 'a running completion is not quiet');
    time = 5000;
    held.release();
    await done;
    time = 9000;
    assert.equal(activity.lastActiveAt(), 5000, 'stamped when it ended, not when it started (1000)');
  });

  it('a failed or cancelled completion counts when it ends too', async () => {
    let time = 0;
    const activity = new CompletionActivity(() => time);
    const runtime = activity.track({ complete: () => Promise.reject(new Error('cancelled')) });
    time = 70;
    await assert.rejects(runtime.complete(params(16)));
    time = 100;
    assert.equal(activity.lastActiveAt(), 70);
  });

  it('a warm-up (maxTokens 0) is not a completion: it neither holds nor stamps', async () => {
    const time = 50;
    const activity = new CompletionActivity(() => time);
    const held = new HeldRuntime();
    const done = activity.track(held).complete(params(0));
    assert.equal(activity.lastActiveAt(), -Infinity);
    held.release();
    await done;
    assert.equal(activity.lastActiveAt(), -Infinity);
  });

  it('with the scheduler: a chunk offered during a 4 s completion enters 3 s after it ends', async () => {
    const timers = new FakeTimers();
    const activity = new CompletionActivity(() => timers.now());
    const held = new HeldRuntime();
    const ring = new ContextRing();
    const scheduler = new ContextFeedScheduler<string>({ ring, documentOf: () => file('a.ts', 10), admits: () => true, lastCompletionAt: () => activity.lastActiveAt(), onChanged: () => undefined, timers });
    timers.advanceTo(1000);
    const done = activity.track(held).complete(params(16));
    scheduler.offer('a', 0);
    timers.advanceTo(5000);
    held.release();
    await done;
    timers.advanceTo(5000 + quietMs - 1);
    assert.equal(ring.list().length, 0, 'quiet counts from the end (5000), not the start (1000)');
    timers.advanceTo(5000 + quietMs);
    assert.equal(ring.list().length, 1);
  });
});
