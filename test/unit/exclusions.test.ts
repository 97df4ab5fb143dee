import * as assert from 'node:assert/strict';
import { compileExclusions, defaultContextExclude, enabledGlobs, globToRegExp } from '../../src/common/exclusions';

describe('exclusions: files never sent to a model', () => {
  const secret = compileExclusions({ secrets: defaultContextExclude });

  it('refuses every default secret pattern, at any depth', () => {
    for (const path of ['.env', '.env.local', 'app/.env.production', 'certs/server.pem', 'tls.key', 'home/.ssh/id_rsa', 'id_rsa.pub', 'store.p12', 'a/b/c.pfx', '.npmrc', 'pkg/.netrc', 'credentials', 'aws/credentials.json']) {
      assert.ok(secret(path), `${path} must be excluded`);
    }
  });

  it('lets ordinary source files through', () => {
    for (const path of ['src/env.ts', 'environment.md', 'keyboard.ts', 'src/keys.ts', 'docs/pem-format.md', 'README.md', 'my.env.example.ts']) {
      assert.equal(secret(path), undefined, `${path} must not be excluded`);
    }
  });

  it('says which setting and pattern excluded a file', () => {
    assert.deepEqual(secret('config/.env.test'), { setting: 'sovereign.context.exclude', pattern: '.env*' });
    const both = compileExclusions({ secrets: [], hidden: ['**/node_modules'] });
    assert.deepEqual(both('web/node_modules/x/index.js'), { setting: 'files.exclude', pattern: '**/node_modules' });
  });

  it('a matching folder excludes everything below it', () => {
    const rules = compileExclusions({ secrets: ['secrets', 'private/**'], hidden: ['build'] });
    assert.ok(rules('secrets/db.txt'));
    assert.ok(rules('deep/secrets/api.txt'));
    assert.ok(rules('private/notes.md'));
    assert.ok(rules('build/out.js'), 'files.exclude "build" (top level) hides build/out.js');
    assert.equal(rules('src/build/out.js'), undefined, 'files.exclude patterns are relative to the workspace folder');
  });

  it('is case-insensitive and accepts Windows separators', () => {
    assert.ok(secret('Config\\.ENV'));
    assert.ok(secret('C:\\Users\\me\\.ssh\\ID_RSA'));
  });

  it('understands VS Code glob syntax', () => {
    assert.ok(globToRegExp('**/*.{ts,js}').test('a/b/c.ts'));
    assert.ok(globToRegExp('**/*.{ts,js}').test('c.js'));
    assert.ok(!globToRegExp('**/*.{ts,js}').test('c.tsx'));
    assert.ok(globToRegExp('src/*.ts').test('src/a.ts'));
    assert.ok(!globToRegExp('src/*.ts').test('src/sub/a.ts'));
    assert.ok(globToRegExp('file?.txt').test('file1.txt'));
    assert.ok(globToRegExp('[!a]*.md').test('b.md'));
    assert.ok(!globToRegExp('[!a]*.md').test('a.md'));
    assert.ok(globToRegExp('a.b+c(d)').test('a.b+c(d)'), 'regex characters are literal');
  });

  it('reads the enabled keys of files.exclude', () => {
    assert.deepEqual(enabledGlobs({ '**/.git': true, '**/dist': false, '**/*.js': { when: '$(basename).ts' } }), ['**/.git', '**/*.js']);
    assert.deepEqual(enabledGlobs(undefined), []);
    assert.deepEqual(enabledGlobs('nonsense'), []);
  });

  it('ignores empty patterns instead of excluding everything', () => {
    assert.equal(compileExclusions({ secrets: ['', '  '] })('src/a.ts'), undefined);
  });
});
