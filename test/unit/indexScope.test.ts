import * as assert from 'node:assert/strict';
import { compileIndexScope } from '../../src/index/indexScope';

describe('compileIndexScope', () => {
  it('reads everything but excluded names, at any depth, and what .gitignore ignores', () => {
    const inScope = compileIndexScope({ include: [], exclude: ['node_modules', '*.min.js'], gitignore: [{ dir: '', text: 'coverage/\n' }] });
    assert.ok(inScope('src/app.ts'));
    assert.ok(!inScope('packages/a/node_modules/x/index.js'));
    assert.ok(!inScope('public/lib.min.js'));
    assert.ok(!inScope('coverage/report.js'));
  });

  it('with include set, reads only those folders (a folder name or a glob)', () => {
    const inScope = compileIndexScope({ include: ['src', 'lib/**'], exclude: [], gitignore: [] });
    assert.ok(inScope('src/deep/a.ts'));
    assert.ok(inScope('lib/b.ts'));
    assert.ok(!inScope('test/a.ts'));
    assert.ok(!inScope('srcx/a.ts'));
  });
});
