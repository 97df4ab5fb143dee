import * as assert from 'node:assert/strict';
import { delay, toAbortSignal, type CancellationTokenLike } from '../../src/common/cancellation';

function tokenSource(): { token: CancellationTokenLike; cancel(): void } {
  let cancelled = false;
  const listeners = new Set<() => unknown>();
  return {
    token: {
      get isCancellationRequested() {
        return cancelled;
      },
      onCancellationRequested(l) {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
    },
    cancel() {
      cancelled = true;
      for (const l of [...listeners]) l();
    },
  };
}

describe('cancellation', () => {
  it('turns a cancelled token into an aborted signal', () => {
    const s = tokenSource();
    const signal = toAbortSignal(s.token);
    assert.equal(signal.aborted, false);
    s.cancel();
    assert.equal(signal.aborted, true);
  });

  it('is aborted at once for an already cancelled token', () => {
    const s = tokenSource();
    s.cancel();
    assert.equal(toAbortSignal(s.token).aborted, true);
  });

  it('delay resolves false as soon as the signal aborts', async () => {
    const c = new AbortController();
    const started = Date.now();
    const p = delay(10_000, c.signal);
    setTimeout(() => c.abort(), 10);
    assert.equal(await p, false);
    assert.ok(Date.now() - started < 1000);
    assert.equal(await delay(1, new AbortController().signal), true);
  });
});
