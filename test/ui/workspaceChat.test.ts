import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { runCommand, screenshot } from '../../scripts/vscode/browser';
import { testModelPath } from '../../scripts/models/testModels';
import { chatFrame, closeVsCodeLeavingNothing, openVsCode, type VsCodeSession } from './uiFixture';

// Long enough that the function the question is about is a chunk of its own, far from line 1
// (where any file opens): the cursor line then tells that the link opened the cited line.
const filler = Array.from({ length: 70 }, (_, i) => `  parts.push(String(amount * ${i + 1}));`);
const billingLines = ['// Billing helpers.', "import { rates } from './rates';", '', 'export function formatCurrency(amount: number): string {', '  const parts: string[] = [];', ...filler, "  return parts.join(',');", '}', '', 'export function computeInvoiceTotal(lines: { price: number; qty: number }[]): number {', '  let invoiceTotal = 0;', '  for (const l of lines) invoiceTotal += l.price * l.qty;', '  return invoiceTotal * (1 + rates.vat);', '}', ''];
const billing = billingLines.join('\n');
const definitionLine = billingLines.findIndex((l) => l.includes('computeInvoiceTotal')) + 1;
const envCanary = 'CANARY_UI_ENV_51be0f';

/** The editor VS Code shows: its tab's file name and the cursor line in the status bar ("Ln 4, Col 1"). */
async function waitForEditorAt(page: Page, file: string, line: number): Promise<void> {
  await page.locator(`.tabs-container .tab.active[aria-label*="${file}"]`).waitFor({ state: 'visible', timeout: 20_000 });
  const cursor = page.locator('.statusbar-item', { hasText: new RegExp(`^\\s*Ln ${line}, Col`) });
  await cursor.first().waitFor({ state: 'visible', timeout: 20_000 });
}

/** Until Show Indexed Files lists `file`: the index's first scan starts a moment after activation. */
async function waitForIndexed(page: Page, file: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    await runCommand(page, 'Sovereign: Show Indexed Files').catch(() => undefined);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: file });
    const listed = await row.first().waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
    if (await page.locator('.quick-input-widget').isVisible()) await page.keyboard.press('Escape');
    if (listed) return;
    if (Date.now() > deadline) throw new Error(`${file} was never listed by Show Indexed Files`);
    await page.waitForTimeout(1_000);
  }
}

/** Enter in the message box until it empties (focus can settle late, as in sendChatMessage). */
async function pressSend(frame: Frame, page: Page): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await frame.focus('#prompt');
    await page.keyboard.press('Enter');
    const sent = await frame.waitForFunction(() => (document.getElementById('prompt') as HTMLTextAreaElement | null)?.value === '', undefined, { timeout: 5_000 }).then(() => true, () => false);
    if (sent) return;
    if (attempt === 3) throw new Error('the @workspace question was not sent after Enter three times');
  }
}

describe('UI: @workspace in chat, in a real browser', function () {
  let session: VsCodeSession;

  before(async function () {
    this.timeout(600_000);
    session = await openVsCode(
      'dev',
      { 'sovereign.chat.modelPath': testModelPath('fim-qwen2'), 'sovereign.chat.maxTokens': 24, 'sovereign.chat.contextSize': 2048 },
      {
        prepare: async (folder) => {
          await mkdir(join(folder, 'src'), { recursive: true });
          await writeFile(join(folder, 'src', 'billing.ts'), billing);
          await writeFile(join(folder, 'src', 'rates.ts'), 'export const rates = { vat: 0.2 };\n');
          await writeFile(join(folder, '.env'), `INVOICE_TOTAL_KEY=${envCanary}\n`);
        },
      },
    );
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `workspace-chat-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await closeVsCodeLeavingNothing(session);
  });

  it('an @workspace question shows the retrieved chunks as chips, and a Sources link of the answer opens the file at the line', async function () {
    const page = session.page;
    await runCommand(page, 'Sovereign: Open Chat');
    await waitForIndexed(page, 'billing.ts');
    const frame = await chatFrame(page);

    // "@" opens the picker; its first item is @workspace.
    await frame.focus('#prompt');
    await page.keyboard.type('@');
    const mention = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '@workspace' });
    await mention.first().waitFor({ state: 'visible', timeout: 20_000 });
    // As a user would: narrow the list to it, highlight it, Enter.
    await page.locator('.quick-input-widget input.input').pressSequentially('workspace', { delay: 5 });
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().filter({ hasText: '@workspace' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await frame.waitForFunction(() => (document.getElementById('prompt') as HTMLTextAreaElement | null)?.value === '@workspace ', undefined, { timeout: 10_000 });
    await frame.focus('#prompt');
    await page.keyboard.press('End');
    await page.keyboard.type('how is the invoice total computed?');

    // Before sending: the chips show the chunk that will go, labelled path:start-end with its tokens.
    const chip = frame.locator('#chips .chip', { hasText: `src/billing.ts:${definitionLine}-` });
    await chip.first().waitFor({ timeout: 30_000 });
    const chipText = (await chip.first().textContent()) ?? '';
    assert.match(chipText, new RegExp(`src/billing\\.ts:${definitionLine}-\\d+.*\\d+ tokens`), chipText);
    const all = await frame.locator('#chips .chip').allTextContents();
    assert.ok(!all.some((t) => t.includes('.env')), `the .env is never a chip: ${all.join(' | ')}`);
    await screenshot(page, 'workspace-chips');

    // The chip opens its chunk.
    await chip.first().locator('.chip-label').click();
    await waitForEditorAt(page, 'billing.ts', definitionLine);

    // No editor open before asking, so the answer's link has to bring the file back.
    await runCommand(page, 'View: Close All Editors');
    await page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 20_000 });
    await pressSend(frame, page);
    const answer = frame.locator('.entry.assistant').last();
    await frame.waitForSelector('.entry.assistant[aria-busy="false"]', { timeout: 120_000 });
    assert.equal(await frame.locator('.entry.error').count(), 0, 'the answer did not fail');
    assert.match((await frame.locator('.entry.user').last().locator('.context-labels').textContent()) ?? '', /With .*src\/billing\.ts:\d+-\d+/);

    const source = answer.locator('.sources .citation', { hasText: `src/billing.ts:${definitionLine}-` });
    await source.first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'workspace-sources');
    await source.first().click();
    await waitForEditorAt(page, 'billing.ts', definitionLine);
  });
});
