import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { editorText, openFile, screenshot } from '../../scripts/vscode/browser';
import { closeVsCodeLeavingNothing, ghostTextOnLine, ghostTextOnLineSelector as ghostSelector, openVsCode, sovereignLogTail, type VsCodeSession } from './uiFixture';

/** A class whose members TypeScript lists after `this.`; the cursor goes on the empty line in reset(). */
const greeter = ['export class Greeter {', '  private name = "world";', '  private count = 0;', '', '  reset(): void {', '    ', '  }', '}'].join('\n');

const norm = (s: string | null | undefined) => (s ?? '').replace(/\u00a0/g, ' ');

/** Completion's model is loaded, as the status bar's accessible label says ("… is loaded"). */
async function completionModelLoaded(page: Page): Promise<boolean> {
  const label = await page.evaluate(() => {
    const el = Array.from(document.querySelectorAll('.statusbar-item [aria-label], .statusbar-item[aria-label]')).find((e) => (e.getAttribute('aria-label') ?? '').startsWith('Sovereign:'));
    return el?.getAttribute('aria-label') ?? '';
  });
  return /Completion: .* is loaded/.test(label);
}

/** The label of the suggestion list's selected row. */
async function selectedLabel(page: Page): Promise<string> {
  const label = page.locator('.editor-widget.suggest-widget .monaco-list-row.focused .label-name').first();
  await label.waitFor({ state: 'visible', timeout: 10_000 });
  return norm(await label.textContent()).trim();
}

/**
 * What a newcomer meets first in a TypeScript file: `this.` opens TypeScript's suggestion list.
 * Sovereign's ghost text must show beside it, extending the selected item, and Tab must take the
 * item and then Sovereign's continuation (VS Code's keys: Tab/Enter accept the list item; the
 * ghost text that extends it stays, and the next Tab accepts it).
 */
describe('UI: ghost text while the suggestion list is open', function () {
  let session: VsCodeSession | undefined;

  before(async function () {
    this.timeout(600_000);
    session = await openVsCode('dev', {}, { debugLog: true });
    writeFileSync(join(session.folder, 'greeter.ts'), greeter);
  });

  after(async function () {
    this.timeout(60_000);
    await closeVsCodeLeavingNothing(session);
  });

  it('shows ghost text that starts with the selected item, and Tab inserts the item and then the ghost text', async function () {
    this.timeout(480_000);
    const page = session!.page;
    try {
      await openFile(page, 'greeter.ts');
      await page.keyboard.press('Control+End');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('End');
      await page.keyboard.type('this.', { delay: 40 });
      // Typing asked for a suggestion, which loads the model (tens of seconds on a loaded machine).
      // Open the list once that is done: this test is about what shows beside the list, and the
      // requests that waited for the load are all cancelled when it ends.
      const loadedBy = Date.now() + 240_000;
      while (!(await completionModelLoaded(page))) {
        if (Date.now() > loadedBy) throw new Error('the completion model did not load within 4 minutes');
        await page.waitForTimeout(250);
      }

      // The UI fixture turns trigger characters off; open the list as a user does, with Ctrl+Space.
      // TypeScript's server may still be starting: ask again until the list holds members.
      const list = page.locator('.editor-widget.suggest-widget.visible .monaco-list-row');
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+Space');
        if (await list.first().waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false)) break;
        if (attempt === 4) throw new Error('the suggestion list did not open after Ctrl+Space four times');
        await page.keyboard.press('Escape');
      }

      // The test model has random weights: post-processing may rightly drop its text for an item.
      // A user would move on in the list; so does the test, over three items at most.
      let label = '';
      let ghost = '';
      for (let item = 1; item <= 3 && !ghost; item++) {
        if (item > 1) await page.keyboard.press('ArrowDown');
        label = await selectedLabel(page);
        const shown = await page
          .waitForFunction(
            ({ sel, label }) => {
              const text = Array.from(document.querySelectorAll(sel)).map((e) => (e.textContent ?? '').replace(/\u00a0/g, ' ')).join('');
              // The item alone is VS Code's preview of the list; Sovereign's text must extend it.
              return text.startsWith(label) && text.trim().length > label.length ? text : false;
            },
            { sel: ghostSelector, label },
            { timeout: 120_000 },
          )
          .then((h) => h.jsonValue() as Promise<string>, () => '');
        ghost = shown;
      }
      assert.ok(ghost, `no ghost text starting with the selected item "${label}" appeared beside the list (ghost text now: "${await ghostTextOnLine(page)}")`);
      assert.ok(await page.locator('.editor-widget.suggest-widget.visible').isVisible(), 'the suggestion list is still open beside the ghost text');
      await screenshot(page, 'suggest-list-ghost-text');

      // Tab takes the list item; the rest of the ghost text stays and the next Tab takes it.
      await page.keyboard.press('Tab');
      await page.locator('.editor-widget.suggest-widget.visible').waitFor({ state: 'hidden', timeout: 10_000 });
      const afterItem = await editorText(page);
      assert.ok(afterItem.includes(`this.${label}`), `Tab did not insert the selected item "${label}":\n${afterItem}`);
      await page.waitForFunction((sel) => !!document.querySelector(sel), ghostSelector, { timeout: 30_000 }).catch(() => undefined);
      assert.equal(await ghostTextOnLine(page), ghost.slice(label.length), `after the item, the rest of the ghost text is still shown`);
      await page.keyboard.press('Tab');
      await page.waitForFunction((sel) => !document.querySelector(sel), ghostSelector, { timeout: 10_000 });
      const after = await editorText(page);
      assert.ok(after.includes(`this.${ghost}`), `the second Tab did not insert the ghost text "${ghost}":\n${after}`);
    } catch (e) {
      await screenshot(page, 'suggest-list-ghost-text-failed');
      // What each request did (debug level), so a failure in CI says why.
      console.log(`      Sovereign's log, last lines:\n${sovereignLogTail(session!)}`);
      throw e;
    }
  });
});
