import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import type { EditStart } from '../../../src/edit/editController';
import type { ChatMessage } from '../../../src/runtime/protocol';

// Same values as scripts/vscode/integrationSettings.ts (this file runs inside VS Code).
const canaries = ['CANARY_ENV_7f3a9c', 'CANARY_SETTING_2b8e41', 'CANARY_FILES_EXCLUDE_5d0c77'];
const allowed = 'ALLOWED_MARKER_9e6f12';

/** An edit sends one chat request with the edited document only, and never an excluded one. */
export function registerEditTests(): void {
  describe('What an edit sends: the prompt of Edit with Instruction (canary strings)', () => {
    let api: SovereignApi;
    const sent: ChatMessage[][] = [];
    let restore: (() => void) | undefined;

    before(async () => {
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      const original = api.runtime.chat.bind(api.runtime);
      api.runtime.chat = (messages, options) => {
        sent.push(messages);
        return original(messages, options);
      };
      restore = () => (api.runtime.chat = original);
    });
    after(() => restore?.());

    const edit = async (rel: string, line: number, instruction: string): Promise<EditStart> => {
      const root = vscode.workspace.workspaceFolders![0].uri;
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, rel));
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(line, 0, line, 0);
      const result = await vscode.commands.executeCommand<EditStart>('sovereign.editWithInstruction', { instruction });
      await vscode.commands.executeCommand('sovereign.rejectEdit');
      return result;
    };

    it('an excluded file is refused before anything is sent', async function () {
      this.timeout(60_000);
      for (const rel of ['.env', 'secrets/token.py', 'hidden/notes.py']) {
        const before = sent.length;
        const result = await edit(rel, 0, 'rename the variable');
        assert.equal(result.state === 'ended' && result.outcome, 'refused', `${rel}: ${JSON.stringify(result)}`);
        assert.match(result.state === 'ended' ? (result.message ?? '') : '', /does not send/);
        assert.equal(sent.length, before, `${rel} reached the model`);
      }
    });

    it("an edit's prompt holds the edited file and nothing of the excluded ones, opened just before", async function () {
      this.timeout(120_000);
      const root = vscode.workspace.workspaceFolders![0].uri;
      // Open every secret file first: an edit must not pick them up as context the way chat's active file is.
      for (const rel of ['.env', 'secrets/token.py', 'hidden/notes.py', 'util.py']) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, rel)), { preview: false });
      const before = sent.length;
      const result = await edit('main.py', 1, 'return the sum twice');
      assert.equal(sent.length, before + 1, `one chat request: ${JSON.stringify(result)}`);
      const prompt = JSON.stringify(sent.at(-1));
      assert.match(prompt, /def add\(a, b\)/, 'the target is in the prompt');
      assert.match(prompt, /return the sum twice/, 'the instruction is in the prompt');
      for (const c of [...canaries, allowed]) assert.ok(!prompt.includes(c), `${c} reached an edit prompt`);
      // stories260K writes a story, not code: the parser says so and nothing is written.
      const text = (await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, 'main.py'))).getText();
      assert.match(text, /^def add\(a, b\):\n    return a \+ b\n/, 'main.py unchanged');
    });
  });
}
