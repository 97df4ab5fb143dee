import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';

async function api(): Promise<SovereignApi> {
  const ext = vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign');
  assert.ok(ext);
  return ext.activate();
}

async function until<T>(read: () => T, ok: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
    last = read();
  }
  return last;
}

/** The Sovereign log as the Output panel shows it to the user ("Sovereign: Show Log"). */
async function sovereignLog(): Promise<() => string> {
  await vscode.commands.executeCommand('sovereign.showLog');
  const doc = await until(
    () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.includes('sovereign.sovereign')),
    (d) => !!d,
    'the Sovereign output channel to open',
  );
  return () => doc!.getText();
}

/**
 * A user reporting "completion is slow" sets the log level to Debug ("Developer: Set Log Level…",
 * here the test hook of the same) and finds one line per request with what the model did.
 */
export function registerRequestLogTests(): void {
  describe('Per-request lines in the log at debug level', () => {
    before(async function () {
      await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'debug');
      await until(() => vscode.env.logLevel, (l) => l === vscode.LogLevel.Debug, 'the log level to become Debug');
    });

    after(async () => {
      await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info');
    });

    it('a completion: its latency, the model\'s share, tokens and why generation stopped', async function () {
      this.timeout(120_000);
      const { completionProvider } = await api();
      const log = await sovereignLog();
      // Text no other test completes: a request the cache answers logs "no model call" instead.
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: `def request_log_${process.pid}(a, b):\n    return \n` });
      await vscode.window.showTextDocument(doc);
      const invoke = { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext;
      await completionProvider.provideInlineCompletionItems(doc, new vscode.Position(1, 11), invoke, new vscode.CancellationTokenSource().token);
      const line = /\[completion\] completion: \d+ ms \(model \d+ ms: prompt \d+, generation \d+\), tokens reused \d+, evaluated \d+, generated \d+ on \d+ threads?; stop: \w+; (shown \d+ chars|nothing shown)/;
      await until(log, (text) => line.test(text), `a completion line in the log matching ${line}`);
    });

    it('a chat answer: its latency, tokens and why it stopped', async function () {
      this.timeout(120_000);
      const log = await sovereignLog();
      const lm = (vscode as unknown as { lm?: { selectChatModels?(s: object): Thenable<vscode.LanguageModelChat[]> } }).lm;
      if (!lm?.selectChatModels) this.skip(); // older VS Code: no vscode.lm to ask through
      const [model] = await lm.selectChatModels({ vendor: 'sovereign' });
      assert.ok(model, 'the Sovereign model is listed');
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Once upon a time')], {}, new vscode.CancellationTokenSource().token);
      for await (const chunk of response.text) void chunk;
      const line = /\[chat\] chat: \d+ ms \(first token \d+ ms\), prompt \d+ tokens, generated \d+ of max \d+; stop: (end|maxTokens)/;
      await until(log, (text) => line.test(text), `a chat line in the log matching ${line}`);
    });
  });
}
