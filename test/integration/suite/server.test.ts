/**
 * The team server backend inside a real VS Code extension host (code-server): a real llama-server
 * built by the project (bench/llamaServer.ts) runs on 127.0.0.1 with the F16 test model, the
 * machine-scoped `sovereign.backend` and `sovereign.server.url` are changed as a user would
 * (no reload), and the real inline completion provider is asked for a suggestion.
 *
 * Proof of where the text came from: llama-server's own counters (`--metrics`) grow, the
 * extension's server backend reports the generated tokens, the embedded worker's last stats stay
 * as they were, and the in-host socket audit saw the provider connect to that server and nowhere
 * else. With a public URL the host guard refuses: nothing is returned and the audit records no
 * connection attempt at all.
 *
 * The server runs without --api-key: the extension reads the key from SecretStorage, which only
 * the "Set Server API Key" input box fills (the server tests cover the key against the same server).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LlamaServer } from '../../../bench/llamaServer';
import type { SovereignApi } from '../../../src/extension';
import { formatAttempts } from '../../privacy/auditLog';
import { installSocketAudit, type ConnectionAttempt } from '../../privacy/socketAudit';
import { startTestServer } from '../../server/serverFixture';

/** TEST-NET-3 (RFC 5737): a public address that is nobody's server. */
const publicUrl = 'http://203.0.113.10:8080';

async function activated(): Promise<SovereignApi> {
  const ext = vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign');
  assert.ok(ext);
  return ext.activate();
}

const settings = () => vscode.workspace.getConfiguration('sovereign');

async function waitFor(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Machine-scoped settings, as the user sets them. In code-server's remote window VS Code writes a
 * machine-scoped key updated with the Global target to the remote machine's settings
 * (<userDataDir>/Machine/settings.json), which is where this window reads it from; `undefined`
 * removes it. Resolves once the extension host reads the new values.
 */
async function setMachineSettings(values: Record<string, string | undefined>): Promise<void> {
  for (const [key, value] of Object.entries(values)) await settings().update(key, value, vscode.ConfigurationTarget.Global);
  const expected = (key: string, value: string | undefined) => value ?? settings().inspect(key)?.defaultValue;
  await waitFor(`settings ${JSON.stringify(values)}`, 30_000, () => Object.entries(values).every(([k, v]) => settings().get(k) === expected(k, v)));
}

/** One of llama-server's Prometheus counters (`--metrics`). */
async function metric(server: LlamaServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`llamacpp:${name} `));
  assert.ok(line, `llamacpp:${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

/** The server has finished every request (a speculative follow-up included). */
async function serverIdle(server: LlamaServer): Promise<void> {
  await waitFor('llama-server to finish its requests', 60_000, async () => (await metric(server, 'requests_processing')) === 0);
}

async function suggest(api: SovereignApi, content: string, line: number, character: number): Promise<string | undefined> {
  const doc = await vscode.workspace.openTextDocument({ language: 'python', content });
  await vscode.window.showTextDocument(doc);
  const cts = new vscode.CancellationTokenSource();
  try {
    const items = await api.completionProvider.provideInlineCompletionItems(
      doc,
      new vscode.Position(line, character),
      { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
      cts.token,
    );
    const list = Array.isArray(items) ? items : items?.items;
    const first = list?.[0]?.insertText;
    return typeof first === 'string' ? first : first?.value;
  } finally {
    cts.dispose();
  }
}

/** Calls `work` with the in-host socket audit installed; returns what it recorded. */
async function audited(work: () => Promise<unknown>): Promise<ConnectionAttempt[]> {
  const attempts: ConnectionAttempt[] = [];
  const audit = installSocketAudit((a) => attempts.push(a));
  try {
    await work();
  } finally {
    audit.uninstall();
  }
  return attempts;
}

const lastEmbeddedStats = (api: SovereignApi) => {
  const state = api.runtime.currentState;
  return state.kind === 'ready' ? JSON.stringify(state.last) : undefined;
};

/** Registered by index.ts after the privacy tests (they prove the embedded backend) and before deactivation. */
export function registerServerTests(): void {
  describe('Team server backend in a real VS Code extension host (real llama-server on 127.0.0.1)', () => {
    let api: SovereignApi;
    let server: LlamaServer | undefined;

    before(async function () {
      // Minutes only where test/setup.sh has not built llama-server yet (run.ts builds it first).
      this.timeout(900_000);
      api = await activated();
      server = await startTestServer({ withApiKey: false, extraArgs: ['--metrics'] });
    });

    after(async function () {
      this.timeout(60_000);
      await setMachineSettings({ backend: undefined, 'server.url': undefined });
      await server?.stop();
    });

    it('sovereign.backend llama-server: the provider\'s suggestion comes from the server (no reload)', async function () {
      this.timeout(180_000);
      const s = server!;
      const port = new URL(s.url).port;
      const embeddedBefore = lastEmbeddedStats(api);
      await setMachineSettings({ backend: 'llama-server', 'server.url': s.url });
      assert.equal(settings().inspect('backend')?.workspaceValue, undefined, 'set for the machine, not the workspace');
      // A random-weight model writes noise that post-processing may rightly drop: a few documents,
      // one of them must get a suggestion (as the embedded test in extension.test.ts does).
      const documents = [
        { content: 'def area(w, h):\n    return \n\nprint(area(2, 3))\n', line: 1, character: 11 },
        { content: 'import sys\n\nargs = sys.argv[', line: 2, character: 16 },
        { content: 'class Queue:\n    def put(self, item):\n        self.items.insert(', line: 2, character: 26 },
      ];
      let text: string | undefined;
      let attempts: ConnectionAttempt[] = [];
      const predictedBefore = await metric(s, 'tokens_predicted_total');
      for (const d of documents) {
        attempts = attempts.concat(await audited(async () => (text = await suggest(api, d.content, d.line, d.character))));
        if (text) break;
      }
      assert.ok(text && text.trim().length > 0, 'expected a suggestion for at least one document');
      assert.ok((await metric(s, 'tokens_predicted_total')) > predictedBefore, 'llama-server generated tokens for the provider');
      const state = api.server.currentState;
      assert.ok(state.kind === 'ready' && state.last && state.last.generatedTokens > 0, `the server backend reports the generation: ${JSON.stringify(state)}`);
      assert.equal(lastEmbeddedStats(api), embeddedBefore, 'the embedded worker did not complete anything');
      assert.ok(attempts.length > 0, 'the audit saw the provider connect (so the guard test below can trust an empty audit)');
      assert.deepEqual(attempts.filter((a) => !a.target.includes(`127.0.0.1:${port}`)), [], `connections elsewhere:\n${formatAttempts(attempts)}`);
    });

    it('a public server URL: the provider returns nothing and no connection is attempted (host guard)', async function () {
      this.timeout(120_000);
      const s = server!;
      // A speculative follow-up of the last suggestion may still be running against the server.
      await serverIdle(s);
      await setMachineSettings({ backend: 'llama-server', 'server.url': publicUrl });
      const calls = api.completionCounters.modelCalls;
      const predictedBefore = await metric(s, 'tokens_predicted_total');
      let text: string | undefined = 'not asked';
      const attempts = await audited(async () => (text = await suggest(api, 'def cube(x):\n    return ', 1, 11)));
      assert.equal(text, undefined);
      assert.ok(api.completionCounters.modelCalls > calls, 'the request reached the backend (and its guard), not an earlier check');
      assert.deepEqual(attempts, [], `connection attempts:\n${formatAttempts(attempts)}`);
      const state = api.server.currentState;
      assert.ok(state.kind === 'error' && state.error.kind === 'hostNotAllowed', `the status says why: ${JSON.stringify(state)}`);
      assert.match(state.error.message, /203\.0\.113\.10/);
      assert.equal(await metric(s, 'tokens_predicted_total'), predictedBefore);
    });

    it('back to embedded: the worker answers again and the server gets nothing; then the server stops', async function () {
      this.timeout(180_000);
      const s = server!;
      await setMachineSettings({ backend: undefined, 'server.url': undefined });
      const predictedBefore = await metric(s, 'tokens_predicted_total');
      const promptBefore = await metric(s, 'prompt_tokens_total');
      const embeddedBefore = lastEmbeddedStats(api);
      await suggest(api, 'def square(x):\n    return ', 1, 11);
      // Post-processing may drop the random model's text: the worker's stats prove it ran.
      assert.notEqual(lastEmbeddedStats(api), embeddedBefore, 'the embedded worker completed');
      assert.equal(await metric(s, 'tokens_predicted_total'), predictedBefore);
      assert.equal(await metric(s, 'prompt_tokens_total'), promptBefore);
      await s.stop();
      server = undefined;
    });
  });
}
