import * as assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { SovereignApi } from '../../../src/extension';
import { IndexWorkerClient } from '../../../src/index/indexWorkerClient';

// The workspace's canaries (scripts/vscode/integrationSettings.ts), and this test's own.
const forbidden: Record<string, string> = {
  '.env': 'CANARY_ENV_7f3a9c',
  'secrets/token.py': 'CANARY_SETTING_2b8e41',
  'hidden/notes.py': 'CANARY_FILES_EXCLUDE_5d0c77',
  'vendored/lib.ts': 'CANARY_INDEX_EXCLUDE_a41f09',
  'generated/out.ts': 'CANARY_GITIGNORE_6be2d3',
  // Not named *.min.js (sovereign.index.exclude has that): the size and minified rules refuse these.
  'huge-bundle.js': 'CANARY_HUGE_MINIFIED_0c7e55',
  'small-bundle.js': 'CANARY_MINIFIED_93d1aa',
};
const allowedFile = 'indexme/pricing.ts';
// No word in common, whole or split: a search for the edit cannot be answered by the old text.
const allowedMarker = 'computeDiscountedPrice';
const editedMarker = 'reconcileZanzibarLedger';

/** A minified line: no line breaks, long. */
const minified = (canary: string, chars: number) => `!function(){var a="${canary}";` + 'var b=function(c,d){return c+d};'.repeat(Math.ceil(chars / 32)) + '}();';

/**
 * The codebase index inside the real extension host: what the content policy, the index's own
 * scope, .gitignore and the size and minified rules refuse is never in it (canary strings); an
 * edit on disk is found; the stored index loads in a fresh worker (what a window reload does).
 */
export function registerCodeIndexTests(): void {
  describe('Codebase index: canaries, live edits, persistence', () => {
    let api: SovereignApi;
    let root: vscode.Uri;
    const exclude = vscode.workspace.getConfiguration('sovereign.index');

    before(async function () {
      this.timeout(120_000);
      api = await vscode.extensions.getExtension<SovereignApi>('sovereign.sovereign')!.activate();
      root = vscode.workspace.workspaceFolders![0].uri;
      const at = (rel: string) => join(root.fsPath, rel);
      for (const dir of ['vendored', 'generated', 'indexme']) await mkdir(at(dir), { recursive: true });
      await writeFile(at('vendored/lib.ts'), `export const v = "${forbidden['vendored/lib.ts']}";\n`);
      await writeFile(at('generated/out.ts'), `export const g = "${forbidden['generated/out.ts']}";\n`);
      await writeFile(at('.gitignore'), 'generated/\n');
      await writeFile(at('huge-bundle.js'), minified(forbidden['huge-bundle.js'], 3 * 1024 * 1024));
      await writeFile(at('small-bundle.js'), minified(forbidden['small-bundle.js'], 50 * 1024));
      await writeFile(at(allowedFile), `export function ${allowedMarker}(price: number, rate: number) {\n  return price * (1 - rate);\n}\n`);
      const defaults = exclude.inspect<string[]>('exclude')?.defaultValue ?? [];
      await exclude.update('exclude', [...defaults, 'vendored'], vscode.ConfigurationTarget.Global);
      // Rebuild once this extension host reads the new value, so the scan's scope has it.
      const deadline = Date.now() + 30_000;
      while (!vscode.workspace.getConfiguration('sovereign.index').get<string[]>('exclude')?.includes('vendored')) {
        if (Date.now() > deadline) throw new Error('sovereign.index.exclude never showed the added folder');
        await new Promise((r) => setTimeout(r, 50));
      }
      await vscode.commands.executeCommand('sovereign.rebuildIndex');
      await api.codeIndex.idle();
    });

    after(async () => {
      await exclude.update('exclude', undefined, vscode.ConfigurationTarget.Global);
    });

    it('holds the allowed files and none of the .env, excluded, ignored, huge or minified ones', async () => {
      const { files } = await api.codeIndex.listFiles();
      const listed = files.map((f) => vscode.workspace.asRelativePath(f.path, false));
      assert.ok(listed.includes(allowedFile), `the allowed file is indexed: ${listed.join(', ')}`);
      assert.ok(listed.includes('util.py'));
      const hit = await api.codeIndex.search('compute discounted price', 5);
      assert.ok(hit[0]?.path.endsWith(allowedFile), 'the allowed file is found by words of its function name');
      for (const [rel, canary] of Object.entries(forbidden)) {
        assert.ok(!listed.includes(rel), `${rel} is not indexed`);
        // Its parts ("env") may match allowed files; the file itself must never come back.
        const found = await api.codeIndex.search(canary, 50);
        assert.deepEqual(found.map((h) => vscode.workspace.asRelativePath(h.path, false)).filter((p) => p === rel), [], `${rel} found by ${canary}`);
      }
    });

    it('an @workspace question carries the chunk of the right file, and no question brings a canary in', async () => {
      const asked = await api.chat.nextContext(8192, '@workspace how is the discounted price computed?');
      const chunk = asked.sent.find((a) => a.label.startsWith(`${allowedFile}:`));
      assert.ok(chunk, `a chunk of ${allowedFile} is sent: ${asked.sent.map((a) => a.label).join(', ')}`);
      assert.match(chunk.label, /:\d+-\d+$/, 'labelled path:start-end');
      assert.match(chunk.text, new RegExp(allowedMarker), 'with the lines of the function, read from the file');
      const plain = await api.chat.nextContext(8192, 'how is the discounted price computed?');
      assert.ok(!plain.sent.some((a) => a.label.startsWith(`${allowedFile}:`)), 'without @workspace (the toggle is off) nothing is retrieved');
      // Each canary asked for by name, and with the words of its file: whatever comes back, never it.
      for (const [rel, canary] of Object.entries(forbidden)) {
        const context = await api.chat.nextContext(8192, `@workspace ${canary} ${rel.replace(/[./-]/g, ' ')} where is ${canary} used?`);
        for (const a of context.sent) {
          assert.ok(!a.text.includes(canary), `${canary} was in ${a.label}`);
          assert.ok(!a.label.startsWith(rel), `${rel} was sent as ${a.label}`);
        }
      }
    });

    it('finds an edit on disk (file watcher → worker), polled', async function () {
      this.timeout(30_000);
      const started = performance.now();
      await writeFile(join(root.fsPath, allowedFile), `export function ${editedMarker}(ledger: string[]) {\n  return ledger.length;\n}\n`);
      assert.deepEqual(await api.codeIndex.search('zanzibar', 5), [], 'nothing holds the word before the edit');
      let hits = await api.codeIndex.search(editedMarker, 1);
      while (!hits[0]?.path.endsWith(allowedFile)) {
        await new Promise((r) => setTimeout(r, 25));
        hits = await api.codeIndex.search(editedMarker, 1);
      }
      console.log(`      edit on disk → searchable in ${Math.round(performance.now() - started)} ms`);
      // Words only the old text had ("marker" is in both names).
      const old = await api.codeIndex.search('discounted price rate', 20);
      assert.deepEqual(old.filter((x) => x.path.endsWith(allowedFile)), [], 'the old text is gone');
    });

    it('survives a reload: the stored index loads in a fresh worker with the edit in it', async () => {
      await api.codeIndex.save();
      assert.ok(api.codeIndex.storageFile, 'a workspace has storage');
      const ext = vscode.extensions.getExtension('sovereign.sovereign')!;
      const fresh = new IndexWorkerClient(join(ext.extensionPath, 'dist', 'indexWorker.js'));
      try {
        const opened = await fresh.call('open', { storageFile: api.codeIndex.storageFile, limits: { maxChars: 2 ** 30, maxFileBytes: 2 ** 20 } });
        assert.ok(opened.loaded && opened.files > 0);
        const hits = await fresh.call('search', { query: editedMarker, limit: 1 });
        assert.ok(hits[0]?.path.endsWith(allowedFile));
        for (const [rel, canary] of Object.entries(forbidden)) {
          const found = await fresh.call('search', { query: canary, limit: 50 });
          assert.deepEqual(found.filter((h) => vscode.workspace.asRelativePath(h.path, false) === rel), []);
        }
      } finally {
        await fresh.dispose();
      }
    });

    it('with an embedding model: every chunk is embedded in the background, stored with the index, and a question with none of the code’s words is answered by meaning', async function () {
      this.timeout(180_000);
      const cfg = vscode.workspace.getConfiguration('sovereign');
      // The test models' folder: the completion model's (scripts/vscode/integrationSettings.ts).
      const embeddingModel = join(dirname(cfg.get<string>('completion.modelPath')!), 'fim-deepseek.gguf');
      const noWordOfIt = 'qzxvq wvutq';
      assert.deepEqual(await api.codeIndex.search(noWordOfIt, 3), [], 'lexical only: nothing matches');
      await cfg.update('embedding.modelPath', embeddingModel, vscode.ConfigurationTarget.Global);
      try {
        const started = performance.now();
        const storage = api.codeIndex.storageFile!;
        for (;;) {
          await api.codeIndex.save();
          const stored = JSON.parse(await readFile(storage, 'utf8')) as { chunks: unknown[][]; vectors?: { entries: [string, string][] } };
          const embedded = new Set(stored.vectors?.entries.map(([hash]) => hash));
          if (stored.chunks.length > 0 && stored.chunks.every((c) => embedded.has(c[5] as string))) break;
          if (performance.now() - started > 150_000) throw new Error(`${embedded.size} of ${stored.chunks.length} chunks embedded`);
          await new Promise((r) => setTimeout(r, 200));
        }
        console.log(`      every chunk embedded and stored in ${Math.round(performance.now() - started)} ms`);
        assert.equal(api.runtime.loadedModel('embedding')?.path, embeddingModel);
        const hits = await api.codeIndex.search(noWordOfIt, 3);
        assert.equal(hits.length, 3, 'the vector ranking answers what no word matches');
        for (const [rel] of Object.entries(forbidden)) assert.ok(!hits.some((h) => vscode.workspace.asRelativePath(h.path, false) === rel), `${rel} is never embedded`);
      } finally {
        await cfg.update('embedding.modelPath', undefined, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
