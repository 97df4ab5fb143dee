import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { openWorkbench, waitForWorkbench, type Workbench } from '../../scripts/vscode/browser';
import { processTree, startCodeServer, type CodeServer } from '../../scripts/vscode/codeServer';
import { integrationSettings, prepareIntegrationWorkspace } from '../../scripts/vscode/integrationSettings';

export const repo = resolve(__dirname, '..', '..');
export const vsixPath = resolve(repo, 'sovereign-linux-x64.vsix');

/** The editor as a user has it, minus the word-based suggest widget, which hides ghost text. */
const uiSettings = {
  'editor.inlineSuggest.enabled': true,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.wordBasedSuggestions': 'off',
  'editor.suggestOnTriggerCharacters': false,
};

export interface VsCodeSession {
  server: CodeServer;
  workbench: Workbench;
  page: Page;
  folder: string;
  close(): Promise<void>;
}

/** A real VS Code (code-server) in a real browser, with Sovereign from the working tree or a VSIX. */
export async function openVsCode(from: 'dev' | 'vsix', settings: Record<string, unknown> = {}): Promise<VsCodeSession> {
  const folder = await prepareIntegrationWorkspace();
  const server = await startCodeServer({
    folder,
    installVsix: from === 'vsix' ? vsixPath : undefined,
    userSettings: { ...integrationSettings(), ...uiSettings, ...settings },
  });
  let workbench: Workbench | undefined;
  try {
    workbench = await openWorkbench(server, { folder, extensionDevelopmentPath: from === 'dev' ? repo : undefined, echoLogs: false });
    await waitForWorkbench(workbench.page);
  } catch (e) {
    await workbench?.close();
    await server.stop();
    throw e;
  }
  const wb = workbench;
  return {
    server,
    workbench: wb,
    page: wb.page,
    folder,
    close: async () => {
      await wb.close();
      await server.stop();
    },
  };
}

/** Closes the browser and code-server, and checks that no process of theirs (a worker included) is left. */
export async function closeVsCodeLeavingNothing(session: VsCodeSession | undefined): Promise<void> {
  if (!session) return;
  await session.close();
  const left = session.server.leftoverPids();
  assert.deepEqual(left, [], `processes left behind after closing VS Code: ${left.join(', ')}`);
}

/** Builds the VSIX when it is missing or older than the build it would carry. */
export function ensureVsix(): void {
  const built = resolve(repo, 'dist', 'extension.js');
  if (existsSync(vsixPath) && existsSync(built) && statSync(vsixPath).mtimeMs > statSync(built).mtimeMs) return;
  execFileSync('npm', ['run', 'package'], { cwd: repo, stdio: 'inherit' });
}

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

/** Ghost text on the cursor's line: VS Code renders it in several spans (one per token, and the suggestion list's preview apart). */
export const ghostTextOnLineSelector = '.monaco-editor .view-line [class*="ghost-text-decoration"]';

/** The ghost text on the cursor's line as a user reads it (all its spans), '' when none is shown. */
export async function ghostTextOnLine(page: Page): Promise<string> {
  const text = await page.evaluate((sel) => Array.from(document.querySelectorAll(sel)).map((e) => e.textContent ?? '').join(''), ghostTextOnLineSelector);
  return text.replace(/\u00a0/g, ' ');
}

/** Pids of Sovereign's model workers (`dist/worker.js`) under this code-server. */
export function workerPids(server: CodeServer): number[] {
  return processTree(server.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/worker.js');
    } catch {
      return false;
    }
  });
}
