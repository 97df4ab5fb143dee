import * as assert from 'node:assert/strict';
import { cleanCommitMessage } from '../../src/commitMessage/cleanCommitMessage';
import { buildCommitPrompt, commitSystemPrompt, type CommitPromptInput } from '../../src/commitMessage/commitPrompt';
import { parseUnifiedDiff, unquote } from '../../src/commitMessage/unifiedDiff';
import { compileContentPolicy, describeRefusal } from '../../src/common/contentPolicy';
import { defaultContextExclude } from '../../src/common/exclusions';

/** One token per word: easy to reason about, and like a real tokenizer it is not chars/4. */
const words = (texts: string[]) => Promise.resolve(texts.map((t) => t.split(/\s+/).filter(Boolean).length));

const canary = 'CANARY_COMMIT_ENV_41d9';

/** Real `git diff --cached` output (git 2.39): a modified file, a new .env, a deleted key, a rename. */
const stagedDiff = `diff --git a/.env b/.env
new file mode 100644
index 0000000..5d2f1c3
--- /dev/null
+++ b/.env
@@ -0,0 +1,2 @@
+API_TOKEN=${canary}
+DEBUG=1
diff --git a/src/app.py b/src/app.py
index 3b18e51..a8c4f02 100644
--- a/src/app.py
+++ b/src/app.py
@@ -1,2 +1,7 @@
 def add(a, b):
-    return a + b
+    """Adds two numbers."""
+    return a + b
+
+
+def mul(a, b):
+    return a * b
diff --git a/certs/server.key b/certs/server.key
deleted file mode 100644
index 1f2e3d4..0000000
--- a/certs/server.key
+++ /dev/null
@@ -1 +0,0 @@
-KEY_${canary}
diff --git a/notes.txt b/config/.env.local
similarity 90%
rename from notes.txt
rename to config/.env.local
index 2222222..3333333 100644
--- a/notes.txt
+++ b/config/.env.local
@@ -1 +1 @@
-SECRET=old
+SECRET=${canary}
diff --git a/logo.png b/logo.png
index 4444444..5555555 100644
Binary files a/logo.png and b/logo.png differ
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
`;

/** The same rules chat uses: the real content policy with the default exclusions. */
function chatRules(): CommitPromptInput['refuse'] {
  const policy = compileContentPolicy({ contextExclude: defaultContextExclude, filesExclude: { folders: { ws: [] }, elsewhere: [] } });
  return (paths, hunks) => {
    for (const path of paths) {
      const v = policy.check('chosen', { scheme: 'file', path: `/repo/${path}`, folder: { key: 'ws', relativePath: path } }, undefined, [hunks]);
      if (!v.allowed) return describeRefusal(v.reason);
    }
    return undefined;
  };
}

const base = { staged: true, windowTokens: 4096, maxAnswerTokens: 1024, count: words, refuse: chatRules() } satisfies Omit<CommitPromptInput, 'diff'>;

describe('commit message: the diff, file by file', () => {
  it('cuts real git output into one section per file with its paths and line counts', () => {
    const files = parseUnifiedDiff(stagedDiff);
    assert.deepEqual(
      files.map((f) => [f.path, f.added, f.removed]),
      [
        ['.env', 2, 0],
        ['src/app.py', 6, 1],
        ['certs/server.key', 0, 1],
        ['config/.env.local', 1, 1],
        ['logo.png', 0, 0],
        ['run.sh', 0, 0],
      ],
    );
    assert.ok(files[3].names.includes('notes.txt') && files[3].names.includes('config/.env.local'), 'a rename names both paths');
    assert.match(files[4].hunks, /^Binary files/);
    assert.equal(files[5].hunks, '', 'a mode change has no hunks');
  });

  it("reads git's quoted names and mnemonic prefixes", () => {
    assert.equal(unquote('"a/t\\303\\251st \\"q\\".txt"'), 'a/tést "q".txt');
    const quoted = parseUnifiedDiff('diff --git "a/my file.txt" "b/my file.txt"\nold mode 100644\nnew mode 100755\n');
    assert.equal(quoted[0].path, 'my file.txt');
    const mnemonic = parseUnifiedDiff('diff --git i/.env w/.env\nindex 1..2 100644\n--- i/.env\n+++ w/.env\n@@ -1 +1 @@\n-A=1\n+A=2\n');
    assert.equal(mnemonic[0].path, '.env');
  });
});

describe('commit message: the prompt', () => {
  it("never carries an excluded file's changes, and names the file as changed without them (canary)", async () => {
    const p = await buildCommitPrompt({ ...base, diff: stagedDiff });
    assert.equal(p.ok, true);
    const sent = JSON.stringify(p.messages);
    assert.ok(!sent.includes(canary), `the canary reached the prompt:\n${p.messages[1].content}`);
    assert.ok(!sent.includes('DEBUG=1'), 'no line of an excluded file');
    assert.deepEqual(
      p.withheld.map((w) => w.path),
      ['.env', 'certs/server.key', 'config/.env.local'],
    );
    assert.match(p.withheld[0].reason, /matches "\.env\*" in sovereign\.context\.exclude/);
    const user = p.messages[1].content;
    assert.match(user, /^- \.env \(\+2 -0\) — changed; its content is not shown$/m);
    assert.match(user, /^- config\/\.env\.local \(\+1 -1\) — changed; its content is not shown$/m, 'a file renamed to an excluded name');
    assert.match(user, /\+def mul\(a, b\):/, 'an allowed file is sent whole');
    assert.match(user, /^- logo\.png \(binary\)$/m);
    assert.match(p.notes.join('\n'), /Named without their changes .*\.env matches "\.env\*"/);
    assert.equal(p.trimmed.length, 0);
  });

  it('a file renamed away from an excluded name is withheld too', async () => {
    const diff = 'diff --git a/.env b/settings.txt\nsimilarity 90%\nrename from .env\nrename to settings.txt\n--- a/.env\n+++ b/settings.txt\n@@ -1 +1 @@\n-X=1\n+X=' + canary + '\n';
    const p = await buildCommitPrompt({ ...base, diff });
    assert.ok(!JSON.stringify(p.messages).includes(canary));
    assert.deepEqual(p.withheld.map((w) => w.path), ['settings.txt']);
  });

  it('says which diff it is: staged, or the unstaged one when nothing is staged', async () => {
    const diff = 'diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n';
    assert.match((await buildCommitPrompt({ ...base, diff })).messages[1].content, /^Write a commit message for these staged changes\./);
    assert.match((await buildCommitPrompt({ ...base, diff, staged: false })).messages[1].content, /nothing is staged: these are the unstaged ones/);
    assert.equal((await buildCommitPrompt({ ...base, diff })).messages[0].content, commitSystemPrompt);
  });

  it('trims a diff larger than the window: small files whole, the large one cut at a line end, said in the prompt and in a note', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `+const value${i} = compute(${i}); // line ${i}`).join('\n');
    const diff =
      `diff --git a/big.ts b/big.ts\n--- a/big.ts\n+++ b/big.ts\n@@ -0,0 +1,3000 @@\n${big}\n` +
      'diff --git a/small.py b/small.py\n--- a/small.py\n+++ b/small.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n';
    const p = await buildCommitPrompt({ ...base, diff, windowTokens: 2048 });
    assert.equal(p.ok, true);
    const user = p.messages[1].content;
    assert.match(user, /\+x = 2/, 'the small file whole');
    assert.match(user, /\+const value\d+ = compute\(\d+\); \/\/ line \d+\n\[… diff trimmed: [\d]+ more lines of this file not shown\]/, 'cut at a line end, with a marker');
    assert.deepEqual(p.trimmed, ['big.ts']);
    assert.match(p.notes.join('\n'), /^Diff trimmed to fit the chat model's context window \(2,048 tokens\): 1 of 2 files/);
    const [system, prompt] = await words(p.messages.map((m) => m.content));
    assert.ok(system + prompt + p.maxTokens <= 2048, `${system + prompt} prompt + ${p.maxTokens} answer tokens fit 2048`);
    assert.ok(p.maxTokens >= 1 && p.maxTokens <= 200);
  });

  it('fits again when the model measures the templated prompt larger than estimated', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => `+line ${i}`).join('\n');
    const diff = `diff --git a/big.txt b/big.txt\n--- a/big.txt\n+++ b/big.txt\n@@ -0,0 +1,2000 @@\n${big}\n`;
    const measured: number[] = [];
    // A template that costs 300 tokens more than the estimate.
    const measure = async (m: { content: string }[]) => {
      const n = (await words(m.map((x) => x.content))).reduce((a, b) => a + b, 0) + 300;
      measured.push(n);
      return n;
    };
    const p = await buildCommitPrompt({ ...base, diff, windowTokens: 2048, measure });
    assert.ok(measured.length >= 2, 'measured, cut, measured again');
    assert.ok(measured.at(-1)! + p.maxTokens <= 2048, `${measured.at(-1)} + ${p.maxTokens} fit 2048`);
  });

  it('refuses when not even the list of files fits the window', async () => {
    const diff = Array.from({ length: 90 }, (_, i) => `diff --git a/f${i}.py b/f${i}.py\n--- a/f${i}.py\n+++ b/f${i}.py\n@@ -1 +1 @@\n-a\n+b\n`).join('');
    const p = await buildCommitPrompt({ ...base, diff, windowTokens: 256 });
    assert.equal(p.ok, false);
    assert.match(p.notes[0], /too many to describe .* sovereign\.chat\.contextSize/);
  });
});

describe('commit message: cleaning the reply', () => {
  const table: [string, string, string][] = [
    ['plain', 'Add mul and document add', 'Add mul and document add'],
    ['fenced', '```\nAdd mul()\n\nAlso documents add().\n```', 'Add mul()\n\nAlso documents add().'],
    ['fenced with a language, prose first', 'Here is a commit message for your changes:\n\n```text\nfeat: add mul\n```\nLet me know if you want changes.', 'feat: add mul'],
    ['a label on the line', 'Commit message: Fix the parser on empty input', 'Fix the parser on empty input'],
    ['bold heading', '**Commit message:**\n\nFix the parser', 'Fix the parser'],
    ['markdown heading', '## Commit\nRefactor the loader', 'Refactor the loader'],
    ['quoted', '"Update README with setup steps"', 'Update README with setup steps'],
    ['chatter with the message after a colon', "Sure! Here's one: Bump version to 1.2", 'Bump version to 1.2'],
    ['reasoning first', '<think>The diff adds mul.</think>\nAdd mul', 'Add mul'],
    ['reasoning still streaming', '<think>The diff adds', ''],
    ['an unclosed fence while streaming', '```\nAdd mu', 'Add mu'],
    ['CRLF and trailing spaces', 'Fix bug  \r\n\r\n\r\n\r\nLonger body.  ', 'Fix bug\n\nLonger body.'],
    ['only chatter', 'Sure!', ''],
    ['a partial chatter line while streaming', 'Here is a', ''],
    ['conventional commit kept as is', 'fix(parser): handle empty input\n\nThe tokenizer crashed on "".', 'fix(parser): handle empty input\n\nThe tokenizer crashed on "".'],
  ];
  for (const [name, reply, expected] of table) {
    it(name, () => assert.equal(cleanCommitMessage(reply), expected));
  }
});
