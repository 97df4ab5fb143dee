import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';

const extensionId = 'sovereign.sovereign';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function activated(): Promise<{ ext: vscode.Extension<SovereignApi>; api: SovereignApi }> {
  const ext = vscode.extensions.getExtension<SovereignApi>(extensionId);
  assert.ok(ext, `${extensionId} is not installed in this extension host`);
  const api = await ext.activate();
  return { ext, api };
}

function tokenSource(): vscode.CancellationTokenSource {
  return new vscode.CancellationTokenSource();
}

/** Registered by index.ts after mocha's globals exist (the bundle has one module scope). */
export function registerExtensionTests(): void {
  describe('Sovereign in a real VS Code extension host', () => {
    it('activates without starting the worker or loading a model', async () => {
      const { ext, api } = await activated();
      assert.ok(ext.isActive);
      assert.equal(api.runtime.pid, undefined, 'activation must not start the worker');
      assert.equal(api.runtime.currentState.kind, 'idle');
    });

    it('contributes its commands, under the Sovereign category', async () => {
      const { ext } = await activated();
      const all = await vscode.commands.getCommands(true);
      const contributed = (ext.packageJSON.contributes.commands as { command: string; category: string }[]);
      assert.ok(contributed.length >= 5);
      for (const c of contributed) {
        assert.ok(all.includes(c.command), `${c.command} is not registered`);
        assert.equal(c.category, 'Sovereign');
      }
    });

    it('contributes its settings; paths the runtime reads are machine-scoped', async () => {
      const { ext } = await activated();
      const props = ext.packageJSON.contributes.configuration.properties as Record<string, { scope?: string }>;
      for (const key of ['sovereign.completion.modelPath', 'sovereign.chat.modelPath', 'sovereign.gpu', 'sovereign.runtime.threads']) {
        assert.equal(props[key]?.scope, 'machine', `${key} must be machine-scoped`);
      }
      const cfg = vscode.workspace.getConfiguration('sovereign');
      assert.equal(cfg.get('completion.enabled'), true);
      assert.equal(cfg.inspect('completion.modelPath')?.workspaceValue, undefined);
    });

    it('the completion provider returns a suggestion from the real model for a real document', async function () {
      this.timeout(120_000);
      const { api } = await activated();
      const modelPath = vscode.workspace.getConfiguration('sovereign').get<string>('completion.modelPath');
      assert.ok(modelPath, 'the test settings name a completion model');
      // A random-weight test model writes noise, which post-processing may rightly drop (say, a
      // line break then a dedented line): a few real documents, and one of them must get a suggestion.
      const documents = [
        { content: 'def add(a, b):\n    return \n\nprint(add(1, 2))\n', line: 1, character: 11 },
        { content: 'import os\n\npath = os.path.join(', line: 2, character: 20 },
        { content: 'class Stack:\n    def push(self, item):\n        self.items.append(', line: 2, character: 26 },
      ];
      let text: string | undefined;
      for (const d of documents) {
        const doc = await vscode.workspace.openTextDocument({ language: 'python', content: d.content });
        await vscode.window.showTextDocument(doc);
        const items = await api.completionProvider.provideInlineCompletionItems(
          doc,
          new vscode.Position(d.line, d.character),
          { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
          tokenSource().token,
        );
        const list = Array.isArray(items) ? items : items?.items;
        const first = list?.[0]?.insertText;
        text = typeof first === 'string' ? first : first?.value;
        if (text) break;
      }
      assert.ok(text && text.trim().length > 0, 'expected a suggestion for at least one document');
      const state = api.runtime.currentState;
      assert.ok(state.kind === 'ready' && state.last && state.last.generatedTokens > 0, 'the real model generated it');
      assert.ok(api.runtime.pid, 'the worker runs once a completion was asked for');
      assert.equal(api.runtime.currentState.kind, 'ready');
    });

    it('a cancelled request returns nothing and does not reach the model', async () => {
      const { api } = await activated();
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'x = ' });
      const cts = tokenSource();
      cts.cancel();
      const items = await api.completionProvider.provideInlineCompletionItems(doc, new vscode.Position(0, 4), { triggerKind: 0 } as unknown as vscode.InlineCompletionContext, cts.token);
      assert.equal(items, undefined);
    });
  });
}

/** Last: it shuts the extension's runtime down. */
export function registerDeactivationTests(): void {
  describe('Deactivation', () => {
    it('deactivation leaves no worker process behind', async function () {
      this.timeout(30_000);
      const { ext, api } = await activated();
      const pid = api.runtime.pid;
      assert.ok(pid && isAlive(pid), 'the worker should be running from the completion test');
      // The same module instance the extension host loaded: its real deactivate().
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const main = require(`${ext.extensionPath}/dist/extension.js`) as { deactivate(): Promise<void> };
      await main.deactivate();
      assert.ok(!isAlive(pid), `worker ${pid} is still running after deactivate`);
    });
  });
}
