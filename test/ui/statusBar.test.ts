import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openFile, runCommand, screenshot } from '../../scripts/vscode/browser';
import { chatFrame, openVsCode, sendChatMessage, type VsCodeSession } from './uiFixture';

/** The item's accessible label: "Sovereign: " and its tooltip as one line (Completion: … Chat: …). */
async function statusLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = Array.from(document.querySelectorAll('.statusbar-item [aria-label], .statusbar-item[aria-label]')).find((e) => (e.getAttribute('aria-label') ?? '').startsWith('Sovereign:'));
    return el?.getAttribute('aria-label') ?? '';
  });
}

/** Whether the item is red (statusBarItem.errorBackground), read from what the browser paints. */
async function isRed(page: Page): Promise<boolean> {
  const color = await page.evaluate(() => {
    const el = Array.from(document.querySelectorAll('.statusbar-item [aria-label], .statusbar-item[aria-label]')).find((e) => (e.getAttribute('aria-label') ?? '').startsWith('Sovereign:'));
    const item = el?.closest('.statusbar-item');
    return item ? getComputedStyle(item).backgroundColor : '';
  });
  const [r, g, b] = (/rgba?\((\d+), (\d+), (\d+)/.exec(color) ?? []).slice(1).map(Number);
  return r > 150 && g < 100 && b < 100;
}

async function waitForLabel(page: Page, expected: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let label = await statusLabel(page);
  while (!expected.test(label)) {
    if (Date.now() > deadline) assert.fail(`${what}: the status item's label never matched ${expected}; it says "${label}"`);
    await page.waitForTimeout(200);
    label = await statusLabel(page);
  }
  return label;
}

/** Quick-opens a file and clicks its own row (Enter can land on a row of the previous list). */
async function openByClick(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.pressSequentially(name, { delay: 5 });
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first().click({ timeout: 20_000 });
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ state: 'visible', timeout: 20_000 });
}

/** Clicks the status item and returns its menu's rows, as the user sees them. */
async function openStatusMenu(page: Page): Promise<string[]> {
  await page.locator('.statusbar-item', { hasText: 'Sovereign' }).first().click();
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
  return (await rows.locator('.label-name').allInnerTexts()).map((t) => t.trim());
}

/**
 * Issue 11.5: the item tells completion's story and chat's side by side. A new user with no
 * completion model whose chat fails must still read that completion needs a model; in `.env`
 * the item says completion is off there and why; its menu leads with what to do.
 */
describe('UI: the status bar tells both stories', function () {
  let session: VsCodeSession;

  before(async function () {
    this.timeout(300_000);
    const notAModel = join(tmpdir(), `sovereign-status-not-a-model-${process.pid}.gguf`);
    await writeFile(notAModel, 'a text file, not a GGUF model\n'.repeat(64));
    session = await openVsCode('dev', { 'sovereign.completion.modelPath': '', 'sovereign.chat.modelPath': notAModel });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `status-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await session?.close();
  });

  it('a failed chat turns the item red, and it still says completion has no model', async function () {
    this.timeout(180_000);
    const page = session.page;
    await page.locator('.statusbar-item', { hasText: 'Sovereign: no model' }).waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'Sovereign: Open Chat');
    const frame = await chatFrame(page);
    await sendChatMessage(frame, page, 'hello');
    await frame.locator('.entry.error').waitFor({ timeout: 90_000 });

    // The chat's failure reaches the item (positive signal), and completion's own state is still there.
    const label = await waitForLabel(page, /Chat: Failed: /, 'the chat failure');
    assert.match(label, /Completion: No completion model yet\. Click to choose one\./, 'the tooltip tells completion\'s state too');
    assert.equal(await page.locator('.statusbar-item', { hasText: 'Sovereign: no model' }).count(), 1, 'the item\'s text is still completion\'s');
    assert.ok(await isRed(page), 'the item is red for the chat failure');
    await page.locator('.statusbar-item', { hasText: 'Sovereign' }).first().hover();
    await page.locator('.monaco-hover', { hasText: 'Completion' }).first().waitFor({ state: 'visible', timeout: 20_000 });
    await screenshot(page, 'status-chat-failed-tooltip');
    await page.mouse.move(600, 400);
  });

  it('in .env the item says completion is off here and why', async function () {
    this.timeout(120_000);
    const page = session.page;
    await openFile(page, '.env');
    await page.locator('.statusbar-item', { hasText: 'Sovereign: off here' }).waitFor({ state: 'visible', timeout: 30_000 });
    const label = await statusLabel(page);
    assert.match(label, /Off in this file: \.env matches "\.env\*" in sovereign\.context\.exclude/);
    await screenshot(page, 'status-env-off-here');
  });

  it('its menu leads with choosing a model, and turns completion off for the language', async function () {
    this.timeout(120_000);
    const page = session.page;
    await openByClick(page, 'main.py');
    await page.locator('.statusbar-item', { hasText: 'Sovereign: no model' }).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await openStatusMenu(page);
    assert.deepEqual(rows.slice(0, 2), ['Select a completion model…', 'Get Started'], `the menu: ${rows.join(' | ')}`);
    for (const entry of ['Open Chat', 'Settings', 'Turn off completion for python']) assert.ok(rows.includes(entry), `"${entry}" in the menu: ${rows.join(' | ')}`);
    await screenshot(page, 'status-menu');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Turn off completion for python' }).click();
    await page.locator('.statusbar-item', { hasText: 'Sovereign: off here' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await statusLabel(page), /Off for python files \(sovereign\.completion\.languages\)/);
    const user = JSON.parse(readFileSync(join(session.server.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(user['sovereign.completion.languages'], { python: false }, 'written to the user\'s settings');

    // And on again from the same menu.
    const again = await openStatusMenu(page);
    assert.ok(again.includes('Turn on completion for python'), `the menu: ${again.join(' | ')}`);
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Turn on completion for python' }).click();
    await page.locator('.statusbar-item', { hasText: 'Sovereign: no model' }).waitFor({ state: 'visible', timeout: 30_000 });
  });
});
