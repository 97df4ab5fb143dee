import * as assert from 'node:assert/strict';
import { binarySniffChars, compileContentPolicy, describeRefusal, looksBinary, type ContentPlace, type ContentRules, type ContentUse, type Verdict } from '../../src/common/contentPolicy';
import { defaultContextExclude } from '../../src/common/exclusions';

const folder = 'file:///work/app';
const rules: ContentRules = {
  contextExclude: [...defaultContextExclude, 'secrets'],
  filesExclude: { folders: { [folder]: ['**/hidden', 'build'] }, elsewhere: ['**/node_modules'] },
};
const policy = compileContentPolicy(rules);
const uses: ContentUse[] = ['editing', 'chosen', 'gathered'];

const inWorkspace = (relativePath: string, scheme = 'file'): ContentPlace => ({ scheme, path: `/work/app/${relativePath}`, folder: { key: folder, relativePath } });
const elsewhere = (path: string, scheme = 'file'): ContentPlace => ({ scheme, path });
const reasonOf = (v: Verdict) => (v.allowed ? undefined : v.reason);

describe('content policy: may this text reach a model?', () => {
  it('exclusions refuse for every use, and say which setting and pattern', () => {
    const cases: [string, Verdict][] = [
      ['.env', { allowed: false, reason: { kind: 'excluded', setting: 'sovereign.context.exclude', pattern: '.env*' } }],
      ['deep/secrets/token.py', { allowed: false, reason: { kind: 'excluded', setting: 'sovereign.context.exclude', pattern: 'secrets' } }],
      ['web/hidden/notes.py', { allowed: false, reason: { kind: 'excluded', setting: 'files.exclude', pattern: '**/hidden' } }],
      ['build/out.js', { allowed: false, reason: { kind: 'excluded', setting: 'files.exclude', pattern: 'build' } }],
      ['src/build/out.js', { allowed: true }],
      ['src/main.py', { allowed: true }],
    ];
    for (const use of uses) for (const [path, expected] of cases) assert.deepEqual(policy.place(inWorkspace(path), use), expected, `${path} as ${use}`);
  });

  it("files.exclude is each folder's own; files in no folder get the globs set outside any folder", () => {
    assert.ok(policy.place(elsewhere('/tmp/x/node_modules/a.js'), 'chosen').allowed === false);
    assert.ok(policy.place(elsewhere('/tmp/x/hidden/a.py'), 'chosen').allowed, "a folder's files.exclude does not reach files outside it");
    assert.ok(policy.place(inWorkspace('node_modules/a.js'), 'chosen').allowed, "only this folder's files.exclude applies inside it");
    assert.deepEqual(reasonOf(policy.place(elsewhere('/home/me/.ssh/id_rsa'), 'editing')), { kind: 'excluded', setting: 'sovereign.context.exclude', pattern: 'id_rsa*' });
  });

  it('only gathered context must come from the workspace (an untitled buffer counts as the user’s own)', () => {
    const outside = elsewhere('/home/me/.config/Code/User/settings.py');
    assert.deepEqual(reasonOf(policy.place(outside, 'gathered')), { kind: 'outsideWorkspace' });
    assert.ok(policy.place(outside, 'chosen').allowed, 'a file the user attaches on purpose');
    assert.ok(policy.place(outside, 'editing').allowed, 'the file the user types in');
    assert.ok(policy.place(elsewhere('Untitled-1', 'untitled'), 'gathered').allowed);
  });

  it('schemes: chosen and gathered text comes from real documents; editing goes wherever VS Code asks', () => {
    for (const scheme of ['file', 'untitled', 'vscode-remote', 'vscode-vfs']) {
      assert.ok(policy.place(inWorkspace('a.py', scheme), 'chosen').allowed, scheme);
      assert.ok(policy.place(inWorkspace('a.py', scheme), 'gathered').allowed, scheme);
    }
    for (const scheme of ['output', 'vscode-userdata', 'git', 'vscode-settings']) {
      assert.deepEqual(reasonOf(policy.place(inWorkspace('a.py', scheme), 'chosen')), { kind: 'scheme', scheme });
      assert.deepEqual(reasonOf(policy.place(inWorkspace('a.py', scheme), 'gathered')), { kind: 'scheme', scheme });
      assert.ok(policy.place(inWorkspace('a.py', scheme), 'editing').allowed, scheme);
    }
  });

  it('a NUL marks binary text; ordinary text and other control characters do not', () => {
    assert.ok(looksBinary('PNG\r\n\x1a\n\0\0\0\rIHDR'));
    assert.ok(looksBinary(`${'text '.repeat(1000)}\0`));
    assert.ok(!looksBinary('const a = "\\0"; // an escaped NUL in source is text\n\tb\x1b[0m'));
    assert.ok(!looksBinary(''));
    assert.deepEqual(policy.text('a\0b'), { allowed: false, reason: { kind: 'binary' } });
    assert.deepEqual(policy.text('plain'), { allowed: true });
  });

  it(`the binary limit at its boundary: a NUL at character ${binarySniffChars - 1} is seen, one at ${binarySniffChars} is past it`, () => {
    const withNulAt = (i: number) => `${'x'.repeat(i)}\0${'y'.repeat(100)}`;
    assert.equal(binarySniffChars, 8000, 'git checks 8,000; a change here is a change users see');
    assert.deepEqual(policy.start(withNulAt(binarySniffChars - 1)), { allowed: false, reason: { kind: 'binary' } });
    assert.deepEqual(policy.start(withNulAt(binarySniffChars)), { allowed: true });
    // Text that is sent is checked whole: the NUL past the limit never travels either.
    assert.equal(policy.text(withNulAt(binarySniffChars)).allowed, false);
    // A multi-byte character before the NUL counts as one: the limit is in characters, not bytes.
    assert.equal(policy.start(`${'é'.repeat(binarySniffChars - 1)}\0`).allowed, false);
    assert.equal(policy.start(`${'é'.repeat(binarySniffChars)}\0`).allowed, true);
  });

  it('says why in words shown after the file name', () => {
    assert.equal(describeRefusal({ kind: 'excluded', setting: 'sovereign.context.exclude', pattern: '.env*' }), 'matches ".env*" in sovereign.context.exclude');
    assert.equal(describeRefusal({ kind: 'binary' }), 'is a binary file');
    assert.equal(describeRefusal({ kind: 'outsideWorkspace' }), 'is outside the workspace');
    assert.equal(describeRefusal({ kind: 'scheme', scheme: 'output' }), 'is not a file (output:)');
  });

  it('empty or blank patterns exclude nothing', () => {
    const lax = compileContentPolicy({ contextExclude: ['', '  '], filesExclude: { folders: {}, elsewhere: [] } });
    assert.ok(lax.place(inWorkspace('.env'), 'gathered').allowed);
  });
});
