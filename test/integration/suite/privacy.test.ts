/**
 * Privacy proofs in a real VS Code extension host (issue 6): the host runs inside a network
 * namespace (test/harness/offline.sh), and neither the extension host nor the model worker
 * attempts a connection of any kind while the embedded backend completes, answers a chat and edits,
 * and while the codebase index rebuilds, retrieves and feeds an @workspace answer.
 * The host is audited in-process (test/privacy/socketAudit.ts); the worker through NODE_OPTIONS,
 * which RuntimeClient's fork passes on from the host's environment.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import { ChatViewProvider } from '../../../src/chat/chatView';
import { auditChildProcesses, formatAttempts, readAuditLog } from '../../privacy/auditLog';
import { closedPort, missingFromAudit } from '../../privacy/auditSelfTest';
import { isolationProblems, netnsState, notIsolatedBanner, probeIsolation } from '../../privacy/networkIsolation';
import { installSocketAudit, type ConnectionAttempt } from '../../privacy/socketAudit';

async function activated(): Promise<{ ext: vscode.Extension<SovereignApi>; api: SovereignApi }> {
  const ext = vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign');
  assert.ok(ext);
  return { ext, api: await ext.activate() };
}

/** Registered by index.ts after mocha's globals exist; before the deactivation tests. */
export function registerPrivacyTests(): void {
  describe('Privacy in a real VS Code extension host', () => {
    it('the extension host runs in a network namespace with loopback only, when offline.sh says so', async function () {
      if (netnsState() !== 'isolated') {
        console.log(notIsolatedBanner('integration'));
        this.skip();
      }
      const probe = await probeIsolation();
      assert.deepEqual(isolationProblems(probe), [], `not isolated: ${JSON.stringify(probe)}`);
    });

    it('the in-host socket audit records real fetch, net.connect, http.get and dns.lookup (self-test)', async function () {
      this.timeout(20_000);
      const port = await closedPort();
      const seen: ConnectionAttempt[] = [];
      const audit = installSocketAudit((a) => seen.push(a));
      try {
        const url = `http://127.0.0.1:${port}/`;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const [net, http, dns] = [require('node:net'), require('node:http'), require('node:dns')] as [typeof import('node:net'), typeof import('node:http'), typeof import('node:dns')];
        const settled = (e: NodeJS.EventEmitter) => new Promise((r) => (e.once('error', r), e.once('connect', r), e.once('response', r)));
        await fetch(url).catch(() => undefined);
        await settled(net.connect(port, '127.0.0.1'));
        await settled(http.get(url));
        await new Promise((r) => dns.lookup('localhost', r));
      } finally {
        audit.uninstall();
      }
      assert.deepEqual(missingFromAudit(['fetch', 'net.connect', 'http.get', 'dns.lookup'], port, seen), [], `not recorded; recorded:\n${formatAttempts(seen)}`);
      assert.ok(seen.every((a) => a.pid === process.pid), 'recorded in this process');
    });

    it('no connection attempt from the host or the worker during an embedded completion, a chat answer, an edit, an index rebuild, a retrieval and an @workspace answer', async function () {
      this.timeout(180_000);
      const { ext, api } = await activated();
      const backend = vscode.workspace.getConfiguration('sovereign').get<string>('backend');
      assert.ok(backend === undefined || backend === 'embedded', `this proves the embedded backend, not ${backend}`);
      const dir = mkdtempSync(join(tmpdir(), 'sovereign-audit-'));
      const workerLog = join(dir, 'worker.jsonl');
      const hostAttempts: ConnectionAttempt[] = [];
      const audit = installSocketAudit((a) => hostAttempts.push(a));
      try {
        // The next worker inherits NODE_OPTIONS from the host: restart so it is a fresh one.
        const restore = auditChildProcesses(join(ext.extensionPath, 'out', 'test', 'socketAudit.js'), workerLog);
        let pid: number | undefined;
        try {
          await vscode.commands.executeCommand('sovereign.restartRuntime');
          assert.equal(api.runtime.pid, undefined, 'the restart stopped the previous worker');
          await api.runtime.load('completion');
          pid = api.runtime.pid;
        } finally {
          restore();
        }

        // A completion as VS Code asks for one.
        const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'def add(a, b):\n    return \n' });
        await vscode.window.showTextDocument(doc);
        const cts = new vscode.CancellationTokenSource();
        await api.completionProvider.provideInlineCompletionItems(
          doc,
          new vscode.Position(1, 11),
          { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
          cts.token,
        );
        const state = api.runtime.currentState;
        assert.ok(state.kind === 'ready' && state.last && state.last.generatedTokens > 0, `the real model completed: ${JSON.stringify(state)}`);

        // A chat answer through VS Code's language-model API (the same runtime chat the view uses).
        const lm = (vscode as unknown as { lm?: { selectChatModels?(s: object): Thenable<vscode.LanguageModelChat[]> } }).lm;
        let answer = '';
        if (lm?.selectChatModels) {
          const [model] = await lm.selectChatModels({ vendor: 'sovereign' });
          assert.ok(model, 'the Sovereign chat model is listed');
          const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Once upon a time there was a cat')], {}, cts.token);
          for await (const chunk of response.text) answer += chunk;
        } else {
          answer = (await api.runtime.chat([{ role: 'user', content: 'Once upon a time there was a cat' }], { maxTokens: 24, onText: () => undefined })).text;
        }
        assert.match(answer, /[a-z]{2,}/i, `a chat answer from stories260K, got "${answer}"`);

        // An in-place edit: the same chat path, with the edited file as context.
        const chats = api.runtime.chat.bind(api.runtime);
        let edits = 0;
        api.runtime.chat = (messages, options) => (edits++, chats(messages, options));
        try {
          await vscode.commands.executeCommand('sovereign.editWithInstruction', { instruction: 'add a docstring' });
          await vscode.commands.executeCommand('sovereign.rejectEdit');
        } finally {
          api.runtime.chat = chats;
        }
        assert.equal(edits, 1, 'the edit asked the embedded model');

        // The codebase index: a full rebuild (listing, reading, the index's worker thread; its own
        // code is in the static scan, privacyNetworkCallSites), a retrieval, and an @workspace
        // answer: the chunks the chat view would send (symbol lookup included), then the answer.
        await vscode.commands.executeCommand('sovereign.rebuildIndex');
        await api.codeIndex.idle();
        const hits = await api.codeIndex.search('add mul', 5);
        assert.ok(hits.some((h) => h.path.endsWith('main.py')), `the rebuilt index answers: ${hits.map((h) => h.path).join(', ')}`);
        const asked = await api.chat.nextContext(2048, '@workspace what do add and mul_values do?');
        const chunk = asked.sent.find((a) => a.label.startsWith('main.py:'));
        assert.ok(chunk, `an @workspace question carries main.py's chunk: ${asked.sent.map((a) => a.label).join(', ')}`);
        const cited = await api.runtime.chat(
          [
            { role: 'system', content: `Cite as path:line.\n\n${chunk.label}:\n${chunk.text}` },
            { role: 'user', content: 'what do add and mul_values do?' },
          ],
          { maxTokens: 16, onText: () => undefined },
        );
        assert.match(cited.text, /\S/, 'the @workspace question was answered');
        assert.equal(api.runtime.pid, pid, 'one audited worker served them all');

        audit.uninstall();
        assert.deepEqual(hostAttempts, [], `the extension host attempted connections:\n${formatAttempts(hostAttempts)}`);
        const { installed, attempts } = readAuditLog(workerLog);
        assert.ok(installed.some((i) => i.pid === pid && i.script.endsWith(join('dist', 'worker.js'))), `the audit was not installed in worker ${pid}: ${JSON.stringify(installed)}`);
        assert.deepEqual(attempts, [], `the worker attempted connections:\n${formatAttempts(attempts)}`);
      } finally {
        audit.uninstall();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("the chat view's Content-Security-Policy allows no remote origin; its files come only from media/", async () => {
      const { ext } = await activated();
      const panel = vscode.window.createWebviewPanel('sovereign.cspTest', 'CSP test', vscode.ViewColumn.Active, {});
      try {
        // The real provider resolves a real webview; only the view's container is this panel.
        const provider = new ChatViewProvider(ext.extensionUri);
        const none = () => new vscode.Disposable(() => undefined);
        provider.resolveWebviewView({ webview: panel.webview, visible: true, onDidChangeVisibility: none, onDidDispose: panel.onDidDispose } as unknown as vscode.WebviewView);
        const webview = panel.webview;
        const media = vscode.Uri.joinPath(ext.extensionUri, 'media');
        assert.deepEqual(webview.options.localResourceRoots?.map(String), [media.toString()], 'resources only from media/');
        assert.ok(!webview.options.enableCommandUris, 'no command links');

        const html = webview.html;
        const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
        assert.equal(metas.length, 1, 'exactly one CSP');
        const directives = new Map(
          metas[0]![1]!
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .filter((d) => d[0])
            .map(([name, ...sources]) => [name!, sources]),
        );
        assert.deepEqual(directives.get('default-src'), ["'none'"], 'everything not named is refused, connect-src included');
        assert.ok(!directives.has('connect-src') && !directives.has('frame-src') && !directives.has('child-src'), [...directives.keys()].join(', '));
        // webview.cspSource is VS Code's own origin for the webview's local resources (served from
        // the extension's folder by VS Code, not from the network); the nonce is per page.
        const own = new Set(webview.cspSource.split(/\s+/));
        for (const [name, sources] of directives) {
          for (const s of sources) {
            const ok = s === "'none'" || own.has(s) || (name === 'script-src' && /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(s));
            assert.ok(ok, `${name} allows ${s}`);
          }
        }
        assert.ok(directives.get('script-src')!.every((s) => s.startsWith("'nonce-")), 'scripts only by nonce');

        const root = webview.asWebviewUri(media).toString();
        const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
        assert.ok(urls.length >= 2, `the page loads its script and style: ${urls.join(', ')}`);
        for (const u of urls) assert.ok(u.startsWith(root), `${u} is not under ${root}`);
      } finally {
        panel.dispose();
      }
    });
  });
}
