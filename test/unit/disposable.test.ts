import * as assert from 'node:assert/strict';
import { DisposableStore, Emitter, toDisposable } from '../../src/common/disposable';

describe('DisposableStore', () => {
  it('disposes everything newest first, once, even when one throws', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.add({ dispose: () => { throw new Error('boom'); } });
    store.add(toDisposable(() => order.push('c')));
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['c', 'a']);
  });

  it('disposes what is added after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    let done = false;
    store.add(toDisposable(() => (done = true)));
    assert.ok(done);
  });
});

describe('Emitter', () => {
  it('stops calling a listener once its subscription is disposed', () => {
    const e = new Emitter<number>();
    const seen: number[] = [];
    const sub = e.event((v) => seen.push(v));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    assert.deepEqual(seen, [1]);
  });
});
