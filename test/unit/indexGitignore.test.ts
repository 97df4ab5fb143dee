import * as assert from 'node:assert/strict';
import { compileGitignore } from '../../src/index/gitignore';

describe('compileGitignore', () => {
  const ignored = compileGitignore([
    { dir: '', text: '# build output\nnode_modules/\n/dist\n*.log\n!keep.log\nsecret.txt\n' },
    { dir: 'pkg', text: 'generated/\n!important.log\n' },
  ]);

  it('ignores by name at any depth, anchored paths at the root, and folders with what they hold', () => {
    assert.ok(ignored('node_modules/x/index.js'));
    assert.ok(ignored('a/b/node_modules/y.js'));
    assert.ok(ignored('dist/app.js'));
    assert.ok(!ignored('src/dist/app.js'), '/dist is anchored at the root');
    assert.ok(ignored('deep/er/secret.txt'));
    assert.ok(ignored('x/debug.log'));
    assert.ok(!ignored('src/app.ts'));
  });

  it('re-includes with !, last rule winning; a nested .gitignore applies inside its folder only', () => {
    assert.ok(!ignored('keep.log'));
    assert.ok(ignored('pkg/generated/a.ts'));
    assert.ok(!ignored('generated/a.ts'));
    assert.ok(!ignored('pkg/important.log'));
    assert.ok(ignored('other/important.log'));
  });

  it('keeps a file under an ignored folder ignored, even when a rule re-includes its name', () => {
    const rules = compileGitignore([{ dir: '', text: 'build/\n!*.ts\n' }]);
    assert.ok(rules('build/a.ts'));
  });

  it('a folder-only rule does not match a file of that name', () => {
    assert.ok(!compileGitignore([{ dir: '', text: 'cache/\n' }])('src/cache'));
  });
});
