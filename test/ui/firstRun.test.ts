import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFile, screenshot, waitForNotification } from '../../scripts/vscode/browser';
import { ensureTestModels, testModelPath } from '../../scripts/models/testModels';
import { openVsCode, type VsCodeSession } from './uiFixture';

/**
 * A new user: no model configured → one gentle prompt → "Select Completion Model…" lists the
 * GGUF file in the models folder → picking it passes the checks → typing shows ghost text.
 * (The OS file dialog cannot be driven in code-server's browser, so the file comes from the
 * models folder, as a downloaded model would.)
 */
describe('UI: first run, from no model to ghost text with a local GGUF', function () {
  let session: VsCodeSession;
  let models: string;

  before(async function () {
    this.timeout(300_000);
    await ensureTestModels();
    models = mkdtempSync(join(tmpdir(), 'sovereign-first-run-'));
    copyFileSync(testModelPath('fim-qwen2'), join(models, 'fim-qwen2.gguf'));
    session = await openVsCode('dev', { 'sovereign.completion.modelPath': '', 'sovereign.chat.modelPath': '', 'sovereign.models.folder': models });
  });

  after(async function () {
    this.timeout(60_000);
    await session?.close();
    rmSync(models, { recursive: true, force: true });
  });

  it('picks the models-folder GGUF in the quick pick, then shows ghost text', async function () {
    this.timeout(240_000);
    const page = session.page;
    const noModel = page.locator('.statusbar-item', { hasText: 'Sovereign: no model' });
    await noModel.waitFor({ state: 'visible', timeout: 60_000 });
    await waitForNotification(page, 'Sovereign needs a local GGUF model', 60_000);

    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('>Sovereign: Select Completion Model');
    const command = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Select Completion Model' }).first();
    await command.waitFor({ state: 'visible', timeout: 20_000 });
    await command.click();

    // Our quick pick: presets first, then the folder's files.
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'fim-qwen2.gguf' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 }).catch(async (e) => {
      await screenshot(page, 'first-run-no-folder-entry');
      throw e;
    });
    const recommended = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'recommended' });
    assert.ok((await recommended.count()) >= 1, 'a preset is marked recommended');
    await screenshot(page, 'first-run-select-model');
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 20_000 });

    // Checked by the worker and stored: the status bar no longer says "no model".
    await noModel.waitFor({ state: 'hidden', timeout: 60_000 });

    await openFile(page, 'main.py');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('return a', { delay: 40 });
    const ghost = page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text').first();
    await ghost.waitFor({ state: 'visible', timeout: 150_000 }).catch(async (e) => {
      await screenshot(page, 'first-run-no-ghost-text');
      throw e;
    });
    await screenshot(page, 'first-run-ghost-text');
    const errors = page.locator('.notifications-toasts .notification-toast', { hasText: /does not fit|cannot complete|not a GGUF/ });
    assert.equal(await errors.count(), 0);
  });
});
