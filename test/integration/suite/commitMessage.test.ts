/**
 * A commit message in a real VS Code extension host: a real git repository (system `git`), VS
 * Code's git extension, the real worker and chat model. What reaches the runtime is recorded
 * (excluded files' changes never do: canaries), and the socket audit sees no connection from the
 * host or the worker while the embedded backend writes the message.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import type { ChatMessage } from '../../../src/runtime/protocol';
import { auditChildProcesses, formatAttempts, readAuditLog } from '../../privacy/auditLog';
import { installSocketAudit, type ConnectionAttempt } from '../../privacy/socketAudit';

// Same values as scripts/vscode/integrationSettings.ts (this file runs inside VS Code).
const canaries = ['CANARY_ENV_7f3a9c', 'CANARY_SETTING_2b8e41', 'CANARY_FILES_EXCLUDE_5d0c77'];
const allowed = 'ALLOWED_MARKER_9e6f12';

/** The members of the git extension's API (git.d.ts) this test drives. */
interface TestGitApi {
  openRepository(root: vscode.Uri): Promise<{ inputBox: { value: string }; diff(cached?: boolean): Promise<string> } | null>;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Sovereign Test', '-c', 'user.email=test@sovereign.invalid', ...args], { cwd, encoding: 'utf8' });
}

/** Polls `read` until it returns `expected` (then returns it) or 15 s pass (then returns what it read last). */
async function settled<T>(read: () => T, expected: T): Promise<T> {
  const until = Date.now() + 15_000;
  let value = read();
  while (value !== expected && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    value = read();
  }
  return value;
}

export function registerCommitMessageTests(): void {
  describe('Commit message from a real git repository', () => {
    let api: SovereignApi;
    let dir: string;
    let repoDir: string;
    let repository: Awaited<ReturnType<TestGitApi['openRepository']>>;

    before(async function () {
      this.timeout(60_000);
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      dir = mkdtempSync(path.join(tmpdir(), 'sovereign-commit-audit-'));
      // A repository inside the workspace folder, so the same rules as chat apply to its files.
      repoDir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'commit-repo');
      fs.mkdirSync(path.join(repoDir, 'secrets'), { recursive: true });
      fs.mkdirSync(path.join(repoDir, 'hidden'), { recursive: true });
      fs.writeFileSync(path.join(repoDir, 'app.py'), 'def add(a, b):\n    return a + b\n');
      git(repoDir, 'init', '-q');
      git(repoDir, 'add', '-A');
      git(repoDir, 'commit', '-q', '-m', 'Initial commit');
      fs.writeFileSync(path.join(repoDir, 'app.py'), `def add(a, b):\n    return a + b  # ${allowed}\n`);
      fs.writeFileSync(path.join(repoDir, '.env'), `API_TOKEN=${canaries[0]}\n`);
      fs.writeFileSync(path.join(repoDir, 'secrets', 'token.py'), `TOKEN = "${canaries[1]}"\n`);
      fs.writeFileSync(path.join(repoDir, 'hidden', 'notes.py'), `NOTE = "${canaries[2]}"\n`);
      git(repoDir, 'add', '-A');
      const gitExtension = vscode.extensions.getExtension<{ getAPI(v: 1): TestGitApi }>('vscode.git');
      assert.ok(gitExtension, 'VS Code ships its git extension');
      const gitApi = (await gitExtension.activate()).getAPI(1);
      repository = await gitApi.openRepository(vscode.Uri.file(repoDir));
      assert.ok(repository, 'the git extension opened the repository');
      assert.match(await repository.diff(true), new RegExp(canaries[0]), 'the staged diff holds the canary: the test can fail');
    });

    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(repoDir, { recursive: true, force: true });
    });

    it('Stop mid-answer puts back what the input box held', async function () {
      this.timeout(120_000);
      const original = api.runtime.chat.bind(api.runtime);
      const before = 'WIP: my own words';
      let streamed: string | undefined;
      let stopped: Thenable<unknown> | undefined;
      // Stop as a user would, once the message has started to appear in the box. The answer is
      // handed back only after Stop has run: a small model can finish before the click lands.
      api.runtime.chat = async (messages, options) => {
        const result = await original(messages, {
          ...options,
          onText: (text) => {
            options.onText(text);
            if (streamed === undefined && repository!.inputBox.value !== before) {
              streamed = repository!.inputBox.value;
              stopped = vscode.commands.executeCommand('sovereign.stopCommitMessage');
            }
          },
        });
        await stopped;
        return result;
      };
      try {
        repository!.inputBox.value = before;
        await vscode.commands.executeCommand('sovereign.writeCommitMessage');
      } finally {
        api.runtime.chat = original;
      }
      assert.ok(streamed, 'the answer was streaming into the box when Stop was pressed');
      // The workbench echoes each value the host set back to the host, a moment later; what the box
      // ends up holding is the point. (First in this suite: no earlier message's echo can arrive late.)
      assert.equal(await settled(() => repository!.inputBox.value, before), before, 'Stop put back what the box held');
    });

    it('writes the message into the input box, sends no excluded change, and no connection is attempted (embedded)', async function () {
      this.timeout(180_000);
      const backend = vscode.workspace.getConfiguration('sovereign').get<string>('backend');
      assert.ok(backend === undefined || backend === 'embedded', `this proves the embedded backend, not ${backend}`);
      const ext = vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!;
      const workerLog = path.join(dir, 'worker.jsonl');
      const sent: ChatMessage[][] = [];
      const original = api.runtime.chat.bind(api.runtime);
      api.runtime.chat = (messages, options) => {
        sent.push(messages);
        return original(messages, options);
      };
      const hostAttempts: ConnectionAttempt[] = [];
      const audit = installSocketAudit((a) => hostAttempts.push(a));
      try {
        // The next worker inherits NODE_OPTIONS from the host: restart so it is a fresh, audited one.
        const restore = auditChildProcesses(path.join(ext.extensionPath, 'out', 'test', 'socketAudit.js'), workerLog);
        let pid: number | undefined;
        try {
          await vscode.commands.executeCommand('sovereign.restartRuntime');
          await api.runtime.load('chat');
          pid = api.runtime.pid;
        } finally {
          restore();
        }
        repository!.inputBox.value = '';
        await vscode.commands.executeCommand('sovereign.writeCommitMessage');
        const message = repository!.inputBox.value;
        assert.ok(message.trim(), 'a commit message is in the input box');
        assert.equal(api.runtime.pid, pid, 'the audited worker wrote it');

        audit.uninstall();
        assert.equal(sent.length, 1, 'one request reached the runtime');
        const prompt = JSON.stringify(sent[0]);
        for (const canary of canaries) assert.ok(!prompt.includes(canary), `${canary} reached the commit-message prompt`);
        assert.ok(prompt.includes(allowed), 'the allowed change was sent (the path carries content)');
        for (const name of ['.env', 'secrets/token.py', 'hidden/notes.py']) assert.ok(prompt.includes(`- ${name} (+1 -0) — changed; its content is not shown`), `${name} named as changed`);
        assert.deepEqual(hostAttempts, [], `the extension host attempted connections:\n${formatAttempts(hostAttempts)}`);
        const { installed, attempts } = readAuditLog(workerLog);
        assert.ok(installed.some((i) => i.pid === pid && i.script.endsWith(path.join('dist', 'worker.js'))), `the audit was not installed in worker ${pid}: ${JSON.stringify(installed)}`);
        assert.deepEqual(attempts, [], `the worker attempted connections:\n${formatAttempts(attempts)}`);
      } finally {
        audit.uninstall();
        api.runtime.chat = original;
      }
    });

    it('with nothing staged, describes the unstaged changes (untracked files are not in them)', async function () {
      this.timeout(120_000);
      git(repoDir, 'reset', '-q');
      assert.equal((await repository!.diff(true)).trim(), '', 'nothing is staged now');
      const original = api.runtime.chat.bind(api.runtime);
      const sent: ChatMessage[][] = [];
      api.runtime.chat = (messages, options) => {
        sent.push(messages);
        return original(messages, options);
      };
      try {
        repository!.inputBox.value = '';
        await vscode.commands.executeCommand('sovereign.writeCommitMessage');
      } finally {
        api.runtime.chat = original;
      }
      assert.equal(sent.length, 1);
      const user = sent[0].at(-1)!.content;
      assert.match(user, /nothing is staged: these are the unstaged ones/);
      assert.match(user, /^- app\.py \(\+1 -1\)$/m);
      assert.ok(user.includes(allowed));
      assert.ok(!/\.env|secrets\/token\.py/.test(user), `untracked files are not part of git diff:\n${user}`);
      assert.ok(repository!.inputBox.value.trim(), 'a message is in the box');
    });
  });
}
