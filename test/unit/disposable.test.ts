import * as assert from 'node:assert/strict';
import { Emitter } from '../../src/common/disposable';

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
