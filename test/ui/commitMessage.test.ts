/**
 * The Source Control title's "Write Commit Message" in a real VS Code (code-server + Chromium):
 * a real git repository made with the system's `git`, a staged change, the built-in git
 * extension, and the real chat model (stories260K) answering through the worker.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runCommand, screenshot } from '../../scripts/vscode/browser';
import { closeVsCodeLeavingNothing, openVsCode, type VsCodeSession } from './uiFixture';

function git(folder: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Sovereign Test', '-c', 'user.email=test@sovereign.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: folder, encoding: 'utf8' });
}

/** The commit input box's text as rendered (Monaco renders spaces as U+00A0). */
async function inputBoxText(page: Page): Promise<string> {
  const lines = await page.locator('.scm-editor .monaco-editor .view-lines .view-line').allTextContents();
  return lines.join('\n').replace(/\u00a0/g, ' ').trim();
}

describe('UI: a commit message written into the Source Control input box', function () {
  let session: VsCodeSession;

  before(async function () {
    this.timeout(600_000);
    // A view's title buttons otherwise show only while the mouse is over it.
    session = await openVsCode('dev', { 'workbench.view.alwaysShowHeaderActions': true }, {
      prepare: async (folder) => {
        git(folder, 'init', '-q');
        git(folder, 'add', '-A');
        git(folder, 'commit', '-q', '-m', 'Initial commit');
        await writeFile(join(folder, 'main.py'), 'def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n');
        git(folder, 'add', 'main.py');
      },
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `commit-message-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await closeVsCodeLeavingNothing(session);
  });

  it('the title button writes a message for the staged change into the input box, then offers itself again', async function () {
    this.timeout(240_000);
    const page = session.page;
    assert.match(git(session.folder, 'diff', '--cached', '--name-only'), /^main\.py$/m, 'the test staged its change');
    await runCommand(page, 'Source Control: Focus on Changes View');
    // The git extension found the repository: the staged file is listed.
    await page.locator('.scm-view .monaco-list-row', { hasText: 'Staged Changes' }).first().waitFor({ state: 'visible', timeout: 90_000 });
    assert.equal(await inputBoxText(page), '', 'the input box starts empty');

    const write = page.locator('.part.sidebar .action-label[aria-label="Write Commit Message"]');
    await write.waitFor({ state: 'visible', timeout: 30_000 });
    await write.click();

    let message = '';
    const deadline = Date.now() + 180_000;
    while (!message && Date.now() < deadline) {
      message = await inputBoxText(page);
      if (!message) await page.waitForTimeout(200);
    }
    assert.ok(message, 'a commit message appeared in the input box');
    // Done writing: Stop gives way to the button again (the context key went back).
    await write.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await page.locator('.part.sidebar .action-label[aria-label="Stop Writing Commit Message"]').count(), 0);
    const final = await inputBoxText(page);
    assert.ok(final.length > 0 && !final.includes('```'), `a cleaned message stays: ${JSON.stringify(final)}`);
    console.log(`      stories260K wrote: ${JSON.stringify(final.slice(0, 120))}`);
    await screenshot(page, 'commit-message');
  });
});
