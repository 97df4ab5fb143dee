import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import type { CompletionParams } from '../../../src/runtime/protocol';
import { feederCaughtUp } from './feederCaughtUp';
import { recordCompletionRequests } from './recordCompletionRequests';

// Same values as scripts/vscode/integrationSettings.ts (this file runs inside VS Code).
const canaries = ['CANARY_ENV_7f3a9c', 'CANARY_SETTING_2b8e41', 'CANARY_FILES_EXCLUDE_5d0c77'];
const allowed = 'ALLOWED_MARKER_9e6f12';
/** In a file outside the workspace (like VS Code's own settings.json): never context. */
const outside = 'CANARY_OUTSIDE_WORKSPACE_41c9d0';

/** Excluded content never reaches a prompt: what the runtime receives is recorded and searched. */
export function registerExclusionTests(): void {
  describe('Excluded files never reach a prompt (canary strings)', () => {
    let api: SovereignApi;
    const sent: CompletionParams[] = [];
    let restore: (() => void) | undefined;

    before(async () => {
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      restore = recordCompletionRequests(api, (params) => sent.push(params));
    });
    after(() => restore?.());

    it('opening, editing and saving secret files adds nothing of them to the completion prompt', async function () {
      this.timeout(90_000);
      const root = vscode.workspace.workspaceFolders![0].uri;
      const outsideFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sovereign-outside-')), 'settings.py');
      fs.writeFileSync(outsideFile, `API_TOKEN = "${outside}"\n`);
      const files = [...['.env', 'secrets/token.py', 'hidden/notes.py', 'util.py'].map((rel) => vscode.Uri.joinPath(root, rel)), vscode.Uri.file(outsideFile)];
      for (const uri of files) {
        const doc = await vscode.workspace.openTextDocument(uri);
        const editor = await vscode.window.showTextDocument(doc);
        await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 0), '# edited\n'));
        await doc.save();
      }
      const main = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'main.py'));
      await vscode.window.showTextDocument(main);
      // Every file above has been taken into the ring or refused (was: a 4 s sleep).
      await feederCaughtUp(() => sent);
      const items = await api.completionProvider.provideInlineCompletionItems(
        main,
        new vscode.Position(5, 4),
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
      assert.ok(items, 'a completion was produced');
      const prompts = sent.filter((p) => p.maxTokens > 0);
      assert.ok(prompts.length > 0, 'the runtime was asked');
      const everything = JSON.stringify(sent);
      assert.ok(everything.includes(allowed), 'the allowed file did reach the extra context (the path works)');
      for (const c of canaries) assert.ok(!everything.includes(c), `${c} reached a prompt`);
      // Typing in the outside file may complete IT (its own prefix); it must never be another file's context.
      const extra = JSON.stringify(sent.map((p) => p.extra ?? []));
      assert.ok(extra.includes(allowed), 'the extra context was searched');
      assert.ok(!extra.includes(outside), `${outside} (a file outside the workspace) became extra context`);
    });

    it('completion inside an excluded file asks nothing of the model', async () => {
      const root = vscode.workspace.workspaceFolders![0].uri;
      const env = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, '.env'));
      const before = sent.length;
      const items = await api.completionProvider.provideInlineCompletionItems(
        env,
        new vscode.Position(0, 4),
        { triggerKind: vscode.InlineCompletionTriggerKind.Invoke } as unknown as vscode.InlineCompletionContext,
        new vscode.CancellationTokenSource().token,
      );
      assert.equal(items, undefined);
      assert.equal(sent.length, before);
    });
  });
}
