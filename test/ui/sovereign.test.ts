import * as assert from 'node:assert/strict';
import { editorText, openFile, runCommand, screenshot } from '../harness/browser';
import { chatFrame, ensureVsix, openVsCode, type VsCodeSession } from './uiFixture';

/** What a user sees: ghost text in the editor, Tab, and an answer in the chat view. */
for (const from of ['dev', 'vsix'] as const) {
  describe(`UI (${from === 'dev' ? 'development folder' : 'installed VSIX'}): Sovereign in a real browser`, function () {
    let session: VsCodeSession;

    before(async function () {
      this.timeout(600_000);
      if (from === 'vsix') ensureVsix();
      session = await openVsCode(from);
    });

    after(async function () {
      this.timeout(60_000);
      if (!session) return;
      await session.close();
      const left = session.server.leftoverPids();
      assert.deepEqual(left, [], `processes left behind after closing VS Code: ${left.join(', ')}`);
    });

    it('shows ghost text after typing, and Tab inserts it', async function () {
      const page = session.page;
      await openFile(page, 'main.py');
      await page.keyboard.press('Control+End');
      await page.keyboard.type('return a', { delay: 40 });
      const ghost = page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text').first();
      await ghost.waitFor({ state: 'visible', timeout: 90_000 }).catch(async (e) => {
        await screenshot(page, `no-ghost-text-${from}`);
        throw e;
      });
      // The part of the suggestion shown on the cursor's line (more lines render below it).
      const shown = ((await page.locator('.monaco-editor .ghost-text-decoration').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
      assert.ok(shown.trim().length > 0, 'the ghost text has visible characters');
      await screenshot(page, `ghost-text-${from}`);

      await page.keyboard.press('Tab');
      // Rendered ghost text sits inside the line's DOM, so wait for it to become real text.
      await page.waitForFunction(() => !document.querySelector('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text'), undefined, { timeout: 10_000 });
      const after = (await editorText(page)).replace(/\u00a0/g, ' ');
      assert.ok(after.includes(`return a${shown}`), `Tab did not insert the suggestion "${shown}":\n${after}`);
    });

    it('the chat view streams an answer to a message', async function () {
      const page = session.page;
      await runCommand(page, 'Sovereign: Open Chat');
      const frame = await chatFrame(page);
      await frame.fill('#prompt', 'Once upon a time there was a cat');
      await frame.press('#prompt', 'Enter');
      await frame.waitForSelector('.entry.user', { timeout: 10_000 });
      await frame.waitForSelector('.entry.assistant[aria-busy="false"]', { timeout: 90_000 });
      const answer = (await frame.textContent('.entry.assistant .body'))?.trim() ?? '';
      await screenshot(page, `chat-${from}`);
      assert.match(answer, /[a-z]{2,}/i, `expected words from the model, got "${answer}"`);
      assert.equal(await frame.locator('.entry.error').count(), 0);
    });
  });
}
