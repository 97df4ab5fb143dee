import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { extraContextTokens } from '../../../src/config/completionSettings';
import type { SovereignApi } from '../../../src/extension';
import type { CompletionParams } from '../../../src/runtime/protocol';
import { recordCompletionRequests } from './recordCompletionRequests';

/**
 * Settings that something is built from apply at run time: flipped in the real extension host, the
 * next request shows the change, with no reload of the window or the extension.
 */
export function registerLiveSettingsTests(): void {
  describe('Settings apply at run time, without a reload', () => {
    let api: SovereignApi;
    const sent: CompletionParams[] = [];
    const waiting: { match: (p: CompletionParams) => boolean; resolve: () => void }[] = [];
    let restore: (() => void) | undefined;
    const completion = () => vscode.workspace.getConfiguration('sovereign.completion');
    let documents = 0;

    before(async () => {
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      restore = recordCompletionRequests(api, (params) => {
        sent.push(params);
        for (const w of waiting.filter((w) => w.match(params))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      });
    });

    after(async () => {
      restore?.();
      for (const key of ['extraContext', 'contextSize']) await completion().update(key, undefined, vscode.ConfigurationTarget.Global);
    });

    /** Resolves when the runtime is sent a request that `match`es (the test's timeout bounds the wait). */
    const requestSent = (match: (p: CompletionParams) => boolean) => new Promise<void>((resolve) => waiting.push({ match, resolve }));

    /** The model request of an explicit completion in a new document (a new one each time: no cache hit). */
    async function ask(): Promise<CompletionParams> {
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: `def step_${++documents}(value):\n    return ` });
      await vscode.window.showTextDocument(doc);
      const before = sent.length;
      await api.completionProvider.provideInlineCompletionItems(
        doc,
        new vscode.Position(1, 11),
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
      const asked = sent.slice(before).find((p) => p.maxTokens > 0);
      assert.ok(asked, 'the model was asked');
      return asked;
    }

    it('sovereign.completion.extraContext: off, the next request sends no extra context; on again, it does', async function () {
      this.timeout(120_000);
      const root = vscode.workspace.workspaceFolders![0].uri;
      const marker = `LIVE_SETTINGS_MARKER_${Date.now()}`;
      const file = vscode.Uri.joinPath(root, `live_settings_${Date.now()}.py`);
      await writeFile(file.fsPath, `def live():\n    return "${marker}"\n`);
      // A file opened beside the editor enters the ring once completion has been quiet a while; the
      // warm-up of the editor's prompt that follows carries it.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'main.py')));
      const inRing = requestSent((p) => p.maxTokens === 0 && JSON.stringify(p.extra ?? []).includes(marker));
      await vscode.workspace.openTextDocument(file);
      await inRing;

      await completion().update('extraContext', false, vscode.ConfigurationTarget.Global);
      const off = await ask();
      assert.deepEqual(off.extra ?? [], [], 'extra context sent while the setting is off');
      assert.equal(off.maxExtraTokens ?? 0, 0);

      await completion().update('extraContext', true, vscode.ConfigurationTarget.Global);
      const on = await ask();
      assert.ok(JSON.stringify(on.extra ?? []).includes(marker), 'the ring is sent again once the setting is back on');
      assert.equal(on.maxExtraTokens, extraContextTokens);
    });

    it('sovereign.completion.contextSize: the next request loads the model again with the new window', async function () {
      this.timeout(120_000);
      await ask();
      const before = api.runtime.loadedModel('completion')?.contextSize;
      assert.ok(before, 'the completion model is loaded');
      const wanted = before === 1024 ? 2048 : 1024;
      await completion().update('contextSize', wanted, vscode.ConfigurationTarget.Global);
      await ask();
      assert.equal(api.runtime.loadedModel('completion')?.contextSize, wanted);
    });
  });
}
