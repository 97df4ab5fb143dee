import * as assert from 'node:assert/strict';
import { findCitations, locationLabel, normalizePath } from '../../src/chat/citations';
import { isFromWebview, isSourceLocation } from '../../src/chat/messages';

/** The mentions as `path line[-end]`, and the exact text each covers. */
const cites = (text: string) => findCitations(text).map((c) => ({ at: text.slice(c.index, c.index + c.length), path: c.path, line: c.line, endLine: c.endLine }));

describe('chat citations: path:line mentions in an answer', () => {
  it('finds path:line and path:start-end, and leaves trailing punctuation out', () => {
    assert.deepEqual(cites('See src/billing.ts:12. Also src/a/b.py:3-9, and lib/x.go:7!'), [
      { at: 'src/billing.ts:12', path: 'src/billing.ts', line: 12, endLine: undefined },
      { at: 'src/a/b.py:3-9', path: 'src/a/b.py', line: 3, endLine: 9 },
      { at: 'lib/x.go:7', path: 'lib/x.go', line: 7, endLine: undefined },
    ]);
    assert.deepEqual(cites('(util.py:4) [main.rs:10]; "app.ts:2"?'), [
      { at: 'util.py:4', path: 'util.py', line: 4, endLine: undefined },
      { at: 'main.rs:10', path: 'main.rs', line: 10, endLine: undefined },
      { at: 'app.ts:2', path: 'app.ts', line: 2, endLine: undefined },
    ]);
  });

  it('reads backticks, an en dash, a column, GitHub #L anchors and a leading ./', () => {
    assert.deepEqual(cites('In `src/index.ts:42`, see ./docs/x.md:5–8 and a.ts:3:14 and src/c.ts#L20-L25.'), [
      { at: 'src/index.ts:42', path: 'src/index.ts', line: 42, endLine: undefined },
      { at: './docs/x.md:5–8', path: 'docs/x.md', line: 5, endLine: 8 },
      { at: 'a.ts:3:14', path: 'a.ts', line: 3, endLine: undefined },
      { at: 'src/c.ts#L20-L25', path: 'src/c.ts', line: 20, endLine: 25 },
    ]);
  });

  it('normalizes Windows-style relative paths and refuses absolute ones, drives and ..', () => {
    assert.deepEqual(cites(String.raw`src\chat\view.ts:8`).map((c) => c.path), ['src/chat/view.ts']);
    assert.deepEqual(cites(String.raw`C:\Users\me\secret.ts:3 and /etc/passwd.txt:1 and ../outside.ts:2 and src/../../x.ts:1`), []);
    assert.deepEqual(cites('file:///home/me/a.ts:3 and https://example.com:8080/a.ts:3 and localhost:8080'), []);
  });

  it('is not fooled by versions, times, words, line 0 or a backwards range', () => {
    assert.deepEqual(cites('version 1.2:3 at 10:30, ratio a:b, x.ts:0, y.ts:12abc'), []);
    assert.deepEqual(cites('z.ts:9-3'), [{ at: 'z.ts:9-3', path: 'z.ts', line: 9, endLine: undefined }]);
  });

  it('only proposes candidates: a path that names no file is the host’s to drop (a well-formed nonexistent path still parses)', () => {
    assert.deepEqual(cites('nowhere/missing.ts:3').map((c) => c.path), ['nowhere/missing.ts']);
  });

  it('normalizePath keeps only workspace-relative forms', () => {
    assert.equal(normalizePath('src/a.ts'), 'src/a.ts');
    assert.equal(normalizePath(String.raw`.\src\a.ts`), 'src/a.ts');
    assert.equal(normalizePath('Makefile'), undefined, 'a bare word is too ambiguous to link');
    assert.equal(normalizePath('.github/workflows/ci.yml'), '.github/workflows/ci.yml');
    for (const bad of ['/abs.ts', 'C:/x.ts', 'a/../b.ts', 'a//b.ts', 'http://x/y.ts', 'a:b.ts', '']) assert.equal(normalizePath(bad), undefined, bad);
  });

  it('labels a location as path:start-end or path:line', () => {
    assert.equal(locationLabel({ path: 'a.ts', line: 3, endLine: 9 }), 'a.ts:3-9');
    assert.equal(locationLabel({ path: 'a.ts', line: 3, endLine: 3 }), 'a.ts:3');
    assert.equal(locationLabel({ path: 'a.ts', line: 3 }), 'a.ts:3');
  });

  it('the page may ask to open only a relative path with sane lines (never a URI)', () => {
    assert.ok(isFromWebview({ type: 'openLocation', location: { path: 'src/a.ts', line: 3 } }));
    assert.ok(isFromWebview({ type: 'openLocation', location: { path: 'src/a.ts', line: 3, endLine: 9 } }));
    for (const location of [
      { path: 'file:///etc/passwd', line: 1 },
      { path: '/etc/passwd', line: 1 },
      { path: '../x.ts', line: 1 },
      { path: String.raw`src\a.ts`, line: 1 },
      { path: 'src/a.ts', line: 0 },
      { path: 'src/a.ts', line: 1.5 },
      { path: 'src/a.ts', line: 5, endLine: 2 },
      { path: 'src/a.ts', line: '3' },
      'src/a.ts:3',
    ]) {
      assert.ok(!isFromWebview({ type: 'openLocation', location }), JSON.stringify(location));
      assert.ok(!isSourceLocation(location));
    }
  });
});
