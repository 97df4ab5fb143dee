import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import type { ModelItem } from '../../../src/models/modelItems';
import type { ModelRole } from '../../../src/runtime/protocol';

const extensionId = 'sovereign.sovereign';

async function activated(): Promise<{ ext: vscode.Extension<SovereignApi>; api: SovereignApi }> {
  const ext = vscode.extensions.getExtension<SovereignApi>(extensionId);
  assert.ok(ext, `${extensionId} is not installed in this extension host`);
  return { ext, api: await ext.activate() };
}

/** Runs the command, returns the items its quick pick showed, then closes the quick pick. */
async function shownItems(api: SovereignApi, command: string, role: ModelRole): Promise<readonly ModelItem[]> {
  const items = new Promise<readonly ModelItem[]>((resolve) => {
    const sub = api.models.onDidShowItems((e) => {
      if (e.role !== role) return;
      sub.dispose();
      resolve(e.items);
    });
  });
  const done = vscode.commands.executeCommand(command);
  const shown = await Promise.race([items, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the quick pick was not shown in 60 s')), 60_000))]);
  await new Promise((r) => setTimeout(r, 300));
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  assert.equal(await done, undefined, 'closing the quick pick selects nothing');
  return shown;
}

/** Registered by index.ts before the deactivation tests (they stop the worker). */
export function registerModelTests(): void {
  describe('Models: Select Model… and the first-run walkthrough', () => {
    const settings = () => vscode.workspace.getConfiguration('sovereign');
    let folder: string;

    before(async () => {
      folder = mkdtempSync(join(tmpdir(), 'sovereign-models-it-'));
      // Listing only looks at names and sizes: a stand-in file is enough to be "downloaded".
      writeFileSync(join(folder, 'qwen2.5-coder-1.5b-q8_0.gguf'), 'GGUF');
      writeFileSync(join(folder, 'my-own-model.gguf'), 'GGUF');
      writeFileSync(join(folder, 'notes.txt'), 'not a model');
      await settings().update('models.folder', folder, vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      await settings().update('models.folder', undefined, vscode.ConfigurationTarget.Global);
      await settings().update('offline', undefined, vscode.ConfigurationTarget.Global);
      rmSync(folder, { recursive: true, force: true });
    });

    it('the palette has one model command per role, and its picker ends with "Choose a GGUF file…"', async function () {
      const { ext, api } = await activated();
      const palette = (ext.packageJSON.contributes.commands as { command: string; title: string }[]).filter((c) => /model…$/i.test(c.title));
      assert.deepEqual(palette.map((c) => c.title).sort(), ['Select Chat Model…', 'Select Completion Model…', 'Select Embedding Model…']);
      const registered = await vscode.commands.getCommands(true);
      for (const gone of ['sovereign.chooseCompletionModel', 'sovereign.chooseChatModel']) assert.ok(!registered.includes(gone), `${gone} is still registered`);
      for (const [command, role] of [['sovereign.selectCompletionModel', 'completion'], ['sovereign.selectChatModel', 'chat'], ['sovereign.selectEmbeddingModel', 'embedding']] as const) {
        const items = await shownItems(api, command, role);
        assert.equal(items[items.length - 1].kind, 'browse', `${command}: the file dialog is the last entry`);
      }
    });

    it('the completion quick pick lists the presets with their marks, the folder\'s GGUF files, and "Choose a GGUF file…"', async function () {
      this.timeout(90_000);
      const { api } = await activated();
      assert.equal(api.models.modelsFolder(), folder);
      const items = await shownItems(api, 'sovereign.selectCompletionModel', 'completion');
      const presets = items.filter((i) => i.kind === 'preset');
      assert.deepEqual(
        presets.map((p) => p.preset.id),
        ['qwen2.5-coder-0.5b-q8_0', 'qwen2.5-coder-1.5b-q8_0', 'qwen2.5-coder-3b-q8_0', 'qwen2.5-coder-7b-q8_0', 'deepseek-coder-1.3b-base-q8_0', 'deepseek-coder-6.7b-base-q8_0', 'starcoder2-3b-q8_0'],
      );
      const downloaded = presets.filter((p) => p.downloaded);
      assert.deepEqual(downloaded.map((p) => p.preset.id), ['qwen2.5-coder-1.5b-q8_0']);
      assert.match(downloaded[0].description, /downloaded/);
      assert.match(downloaded[0].label, /^\$\(check\)/);
      const recommended = presets.filter((p) => p.recommended);
      assert.equal(recommended.length, 1, 'exactly one recommended preset (the worker reported the hardware)');
      assert.match(recommended[0].description, /recommended/);
      assert.match(recommended[0].detail, /no GPU; \d+ CPU cores/, 'gpu is off in the test settings: the CPU tier');
      for (const p of presets) {
        assert.equal(typeof p.fits, 'boolean');
        assert.equal(/won't fit/.test(p.description), p.fits === false, `${p.preset.id}: the mark follows the fit`);
      }
      assert.ok(presets.filter((p) => !p.downloaded).every((p) => /^download /.test(p.detail)));
      const local = items.filter((i) => i.kind === 'local');
      assert.deepEqual(local.map((i) => i.label), ['$(file-binary) my-own-model.gguf'], 'GGUF files only, presets not listed twice');
      assert.equal(items.at(-1)?.kind, 'browse');
    });

    it('the chat quick pick lists the instruct presets; offline, downloads say why they are disabled', async function () {
      this.timeout(90_000);
      const { api } = await activated();
      await settings().update('offline', true, vscode.ConfigurationTarget.Global);
      const items = await shownItems(api, 'sovereign.selectChatModel', 'chat');
      const presets = items.filter((i) => i.kind === 'preset');
      assert.equal(presets.length, 4);
      assert.ok(presets.every((p) => /Instruct/.test(p.label)));
      assert.ok(presets.every((p) => /^download disabled: offline/.test(p.detail)), presets.map((p) => p.detail).join('\n'));
    });

    it('"Sovereign: Get Started" opens the walkthrough, any time', async function () {
      await activated();
      const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
      const before = tabs();
      await vscode.commands.executeCommand('sovereign.getStarted');
      const deadline = Date.now() + 30_000;
      let active = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
      while (!/Welcome|Walkthrough|Get started/i.test(active) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        active = vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? '';
      }
      assert.match(active, /Welcome|Walkthrough|Get started/i, `the active tab after Get Started: "${active}" (tabs before: ${before.join(', ')})`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });

    it('contributes the first-run walkthrough: pick models, try a completion, open the chat', async () => {
      const { ext } = await activated();
      const walkthroughs = ext.packageJSON.contributes.walkthroughs as { id: string; steps: { id: string; description: string; media: { markdown?: string } }[] }[];
      const firstRun = walkthroughs.find((w) => w.id === 'sovereign.firstRun');
      assert.ok(firstRun, 'sovereign.firstRun walkthrough');
      const ids = firstRun.steps.map((s) => s.id);
      for (const id of ['pickCompletionModel', 'pickChatModel', 'tryCompletion', 'openChat']) assert.ok(ids.includes(id), id);
      const all = await vscode.commands.getCommands(true);
      for (const step of firstRun.steps) {
        assert.ok(step.media.markdown && existsSync(join(ext.extensionPath, step.media.markdown)), `${step.id}: media ${step.media.markdown}`);
        for (const [, command] of step.description.matchAll(/\(command:([\w.]+)/g)) assert.ok(all.includes(command), `${step.id} links to ${command}`);
      }
      const count = /^.*?\b(One|Two|Three|Four|Five|Six|Seven) steps\b/.exec((firstRun as unknown as { description: string }).description)?.[1];
      if (count) assert.equal(['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven'].indexOf(count) + 1, firstRun.steps.length, 'the walkthrough says how many steps it has');
      const props = ext.packageJSON.contributes.configuration.properties as Record<string, { scope?: string }>;
      assert.equal(props['sovereign.offline']?.scope, 'machine');
      assert.equal(props['sovereign.models.folder']?.scope, 'machine');
    });
  });
}
