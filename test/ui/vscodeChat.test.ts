import * as assert from 'node:assert/strict';
import { openFile, runCommand, screenshot } from '../../scripts/vscode/browser';
import { closeVsCodeLeavingNothing, openVsCode, type VsCodeSession } from './uiFixture';

/**
 * VS Code's own Chat panel (code-server 4.139.1, VS Code 1.139.1, with its built-in Copilot Chat
 * and nobody signed in). Its model picker lists a provider's models only in Ask mode (Agent mode
 * wants tool calling) and only once VS Code has asked the provider for them; a participant gets a
 * request only with a model chosen there, since the panel's default model is always Copilot's.
 */
describe("UI: Sovereign in VS Code's own Chat panel, signed out of Copilot", function () {
  let session: VsCodeSession | undefined;

  before(async function () {
    this.timeout(300_000);
    session = await openVsCode('dev');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, 'vscode-chat-failed').catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await closeVsCodeLeavingNothing(session);
  });

  it('the picker offers the local model; "Ask in VS Code\'s Chat Panel" and @sovereign stream an answer without sending the .env VS Code attached', async function () {
    this.timeout(300_000);
    const page = session!.page;
    // The panel attaches the active editor by itself: here a secret file.
    await openFile(page, '.env');

    // As a user opens it: until VS Code asks the provider, the picker offers only "Sign in to use Copilot".
    await runCommand(page, 'Chat: Open Chat (Ask)');
    await page.locator('.chat-input-toolbars .action-label[aria-label*="Sovereign: stories260K.gguf"]').first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.model-picker-split').first().click({ force: true });
    await page.locator('.action-widget .monaco-list-row', { hasText: 'Sovereign: stories260K.gguf' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    const rows = await page.locator('.action-widget .monaco-list-row').allInnerTexts();
    assert.ok(!rows.some((r) => /sign in/i.test(r)), `the picker asks to sign in: ${JSON.stringify(rows)}`);
    await page.keyboard.press('Escape');

    // Sovereign's command leaves the panel ready: Ask mode, the local model, "@sovereign " typed in.
    await runCommand(page, "Sovereign: Ask in VS Code's Chat Panel (@sovereign)");
    const input = page.locator('.interactive-input-editor').first();
    await input.locator('.view-lines', { hasText: '@sovereign' }).waitFor({ state: 'visible', timeout: 30_000 });
    // The panel shows the attachment a moment after the input (a CI run looked once, too early).
    const attached = await page
      .locator('.chat-attached-context, .chat-implicit-context', { hasText: '.env' })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 })
      .then(() => true, () => false);
    assert.ok(attached, 'VS Code attached .env to its input');
    await input.click({ force: true });
    await page.keyboard.press('Control+End');
    await page.keyboard.type('Once upon a time');
    await input.locator('.view-lines', { hasText: 'Once upon a time' }).waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');

    // The note comes after the answer: once it is there, the answer has streamed in full.
    const response = page.locator('.interactive-item-container.interactive-response').last();
    await response.getByText('Not sent to the model: .env', { exact: false }).waitFor({ state: 'visible', timeout: 180_000 });
    const text = await response.innerText();
    await screenshot(page, 'vscode-chat-answer');
    const answer = text.split('Not sent to the model')[0].replace(/^\s*Sovereign\s*/, '');
    assert.match(answer, /[a-z]{2,}\s+[a-z]{2,}/i, `words from stories260K, got ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, /sign in|language model unavailable/i);
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no sign-in dialog');
  });
});
