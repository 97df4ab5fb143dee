import type { Frame, Page } from 'playwright-core';
import { runCommand } from './browser';

/** The chat view's page: a webview iframe holding an inner frame with our document. */
export async function chatFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (await frame.$('#composer').catch(() => null)) return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error('the chat view did not appear');
}

/**
 * Types a message into the chat view's box as a user would and sends it with Enter. A multi-line
 * message is pasted (typing "\n" would press Enter and send). As a user would, it sends only once
 * the text is in the box: on a loaded machine the view can take focus late, and keys typed before
 * then land elsewhere.
 */
export async function sendChatMessage(frame: Frame, page: Page, text: string): Promise<void> {
  const prompt = frame.locator('#prompt');
  await frame.focus('#prompt');
  if (text.includes('\n')) await prompt.fill(text);
  else await page.keyboard.type(text);
  if ((await prompt.inputValue()) !== text) {
    await prompt.fill(text);
    await frame.focus('#prompt');
  }
  // Sent means the box emptied. Focus can still move between the check above and Enter (the
  // workbench settling after the view opened): then, as a user would, press Enter in the box again.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Enter');
    const sent = await frame.waitForFunction(() => (document.getElementById('prompt') as HTMLTextAreaElement | null)?.value === '', undefined, { timeout: 5_000 }).then(() => true, () => false);
    if (sent) return;
    if (attempt === 3) throw new Error(`the chat message was not sent after Enter three times (the box holds "${await prompt.inputValue()}")`);
    console.log(`      Enter did not reach the chat box (attempt ${attempt}); pressing it there again`);
    await frame.focus('#prompt');
  }
}

/**
 * Loads the chat page again as VS Code does when webviews reload (Developer: Reload Webviews):
 * waits until `frame` is gone and returns the new page's frame.
 */
export async function reloadChatView(page: Page, frame: Frame): Promise<Frame> {
  await runCommand(page, 'Developer: Reload Webviews');
  for (let i = 0; i < 100 && !frame.isDetached(); i++) await page.waitForTimeout(100);
  if (!frame.isDetached()) throw new Error('the chat page did not load again');
  return chatFrame(page);
}
