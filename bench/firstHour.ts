/**
 * `npm run bench:first-hour`: a new user's first hour, timed. What `npm start` does (build, then
 * code-server with the extension from this folder), a fresh profile with no model, a browser;
 * then as a user: the walkthrough that opens by itself → "Select Completion Model" → the GGUF in the models
 * folder (standing in for a finished download) → type in a real TypeScript file from an npm
 * package → ghost text; then the chat view's "Choose chat model…" → the same file → a question →
 * the first words of the answer. Prints when each step was reached, counted from the start.
 *
 * A benchmark, not a test: it prints what it saw and fails only when a step never happens.
 * Options: --model <gguf> (default: the 0.5B-shape bench model), --keep (leave the browser open).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chatFrame, sendChatMessage } from '../scripts/vscode/chatView';
import { openFile, openWorkbench, screenshot, waitForWorkbench, type Workbench } from '../scripts/vscode/browser';
import { startCodeServer, type CodeServer } from '../scripts/vscode/codeServer';
import { ensureTestModels, testModelPath } from '../scripts/models/testModels';

const repo = resolve(__dirname, '..');
/** A real file from a popular package (MSAL, Microsoft's auth library), not one we tuned on. */
const realFile = resolve(repo, 'node_modules', '@azure', 'msal-common', 'src', 'request', 'ScopeSet.ts');

interface Step {
  step: string;
  atMs: number;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  await ensureTestModels({ bench: true });
  const model = resolve(argValue('--model') ?? testModelPath('bench-qwen2.5-coder-0.5b-f16'));
  const root = mkdtempSync(join(tmpdir(), 'sovereign-first-hour-'));
  const folder = join(root, 'project');
  const models = join(root, 'models');
  mkdirSync(folder);
  mkdirSync(models);
  copyFileSync(realFile, join(folder, 'ScopeSet.ts'));
  // The model as a finished download would leave it; a link, since the file is large.
  symlinkSync(model, join(models, basename(model)));

  const steps: Step[] = [];
  const t0 = Date.now();
  const mark = (step: string) => {
    steps.push({ step, atMs: Date.now() - t0 });
    console.log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s  ${step}`);
  };

  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    execFileSync(process.execPath, ['esbuild.js'], { cwd: repo, stdio: 'ignore' });
    mark('built (npm start: node esbuild.js)');
    // A fresh profile: no Sovereign setting but the models folder, which a download would fill.
    server = await startCodeServer({ folder, userSettings: { 'sovereign.models.folder': models } });
    mark('code-server answers');
    workbench = await openWorkbench(server, { folder, extensionDevelopmentPath: repo, echoLogs: false });
    const page = workbench.page;
    await waitForWorkbench(page);
    mark('workbench shown');

    // The walkthrough, open by itself on a first start, at its first step.
    const steps = page.locator('.gettingStartedContainer');
    await steps.getByText('Pick a completion model', { exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    mark('walkthrough opened by itself');
    await steps.getByRole('button', { name: 'Select Completion Model' }).first().click({ timeout: 30_000 });
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: basename(model) }).first().click({ timeout: 60_000 });
    mark('completion model chosen from the walkthrough');
    await page.locator('.statusbar-item', { hasText: 'no model' }).first().waitFor({ state: 'hidden', timeout: 120_000 });
    mark('model checked (status item no longer says "no model")');

    // Done with the walkthrough, closed as a user would (while it has focus it keeps Ctrl+P from quick open).
    await page.locator('.tabs-container .tab.active .tab-actions .action-label').first().click();
    await steps.first().waitFor({ state: 'detached', timeout: 20_000 });
    await openFile(page, 'ScopeSet.ts');
    // A new line inside the class, where a user would start a method.
    await page.keyboard.press('Control+G');
    await page.keyboard.type('40');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('const scopes = ', { delay: 60 });
    mark('typed in ScopeSet.ts');
    const ghost = page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text').first();
    await ghost.waitFor({ state: 'visible', timeout: 180_000 });
    mark('first ghost text visible');
    await screenshot(page, 'first-hour-ghost-text');

    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await page.keyboard.type('>Sovereign: Open Chat');
    await rows.filter({ hasText: 'Sovereign: Open Chat' }).first().click({ timeout: 30_000 });
    const frame = await chatFrame(page, 60_000);
    mark('chat view open');
    await frame.locator('#chooseChatModel').click({ timeout: 30_000 });
    await rows.filter({ hasText: basename(model) }).first().click({ timeout: 60_000 });
    await frame.locator('#chooseChatModel').waitFor({ state: 'hidden', timeout: 60_000 });
    mark('chat model chosen in the chat view');
    await sendChatMessage(frame, page, 'What does this file do?');
    mark('question sent');
    await frame.waitForFunction(() => (document.querySelector('.entry.assistant:last-of-type .body')?.textContent ?? '').trim().length > 0, undefined, { timeout: 300_000 });
    mark('first words of the chat answer visible');
    await frame.waitForSelector('.entry.assistant[aria-busy="false"]', { timeout: 600_000 });
    const stats = (await frame.locator('.entry.assistant .stats').last().textContent()) ?? '';
    mark(`chat answer complete (${stats.trim()})`);
    await screenshot(page, 'first-hour-chat');
  } finally {
    const out = resolve(repo, 'bench', 'results', 'first-hour.json');
    mkdirSync(resolve(out, '..'), { recursive: true });
    const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
    writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), machine, model: basename(model), file: '@azure/msal-common src/request/ScopeSet.ts', steps }, null, 2) + '\n');
    console.log(`\nwritten: ${out}`);
    if (!process.argv.includes('--keep')) {
      await workbench?.close();
      await server?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
