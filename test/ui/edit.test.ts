import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { editorText, screenshot, waitForEditorText } from '../../scripts/vscode/browser';
import { testModelPath } from '../../scripts/models/testModels';
import { closeVsCodeLeavingNothing, openVsCode, type VsCodeSession, workerPids } from './uiFixture';

/**
 * "Edit with Instruction" in a real browser, in one code-server session:
 * 1. the embedded worker (fim-qwen2, random weights: whatever it writes) streams into the editor,
 *    and Escape mid-stream leaves the text byte-identical and the worker idle;
 * 2. a team server (`openai-compatible`) that answers with a fixed reply: a local stand-in for a
 *    model that writes exactly this text (as the chat tests inject an answer into the view); the
 *    extension's real path runs after it (HTTP streaming, reply parser, preview, lenses, undo).
 *    Its hunks are accepted and rejected one by one, undo restores the original, and
 *    "generate here" inserts and is rejected.
 */

const original = ['def area(w, h):', '    return w * h', '', '', 'def perimeter(w, h):', '    total = w + h', '    return 2 * total', ''].join('\n');
const generateFile = ['def first():', '    return 1', '', '', '', 'def second():', '    return 2', ''].join('\n');

/** Two hunks against lines 5-7 (signature, last line), wrapped as small models do: prose and a fence. */
const editReply = 'Here is the updated function:\n\n```python\ndef perimeter(w: float, h: float) -> float:\n    total = w + h\n    return total * 2\n```\n\nThis adds type hints.';
const generateReply = '```python\ndef helper():\n    return 42\n```';

interface FakeServer {
  url: string;
  requests: { instruction: string; body: string }[];
  aborted: number;
  close(): Promise<void>;
}

/** An OpenAI-compatible chat endpoint on loopback that streams a fixed reply, 6 characters every 100 ms. */
async function startFakeServer(): Promise<FakeServer> {
  const state: FakeServer = { url: '', requests: [], aborted: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ id: 'fixed-reply', context_length: 4096 }] }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { messages: { content: string }[] };
      const user = parsed.messages.at(-1)?.content ?? '';
      const instruction = /Instruction: (.*)/.exec(user)?.[1] ?? '';
      state.requests.push({ instruction, body });
      const reply = /generate/i.test(instruction) ? generateReply : editReply;
      const chunks = reply.match(/[\s\S]{1,6}/g) ?? [];
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const timer = setInterval(() => {
        if (i < chunks.length) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: chunks[i++] } }] })}\n\n`);
        else {
          clearInterval(timer);
          res.end(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
        }
      }, 100);
      res.on('close', () => {
        if (i < chunks.length) state.aborted++;
        clearInterval(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

/** What the proposal looks like on screen: lines on the inserted-line colour, and struck-through text. */
async function diffDecorations(page: Page): Promise<{ added: number; removed: number }> {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return { added: 0, removed: 0 };
    // The theme's colours are CSS variables of the workbench: the probe resolves them inside the editor.
    const probe = document.createElement('div');
    probe.style.backgroundColor = 'var(--vscode-diffEditor-insertedLineBackground)';
    editor.appendChild(probe);
    const inserted = getComputedStyle(probe).backgroundColor;
    probe.remove();
    if (!inserted || inserted === 'rgba(0, 0, 0, 0)' || inserted === 'transparent') throw new Error(`the theme has no inserted-line colour: ${inserted}`);
    const added = Array.from(editor.querySelectorAll('.view-overlays .cdr')).filter((e) => getComputedStyle(e).backgroundColor === inserted).length;
    const removed = Array.from(editor.querySelectorAll('.view-lines .view-line span span')).filter((e) => getComputedStyle(e).textDecorationLine.includes('line-through')).length;
    return { added, removed };
  });
}

const lens = (page: Page, title: string) => page.locator('.monaco-editor .codelens-decoration a', { hasText: new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });

/** Opens a file from the explorer (the quick open's file search may not know files written after start). */
async function openFromExplorer(page: Page, name: string): Promise<void> {
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick({ timeout: 20_000 });
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor({ state: 'visible', timeout: 20_000 });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 20_000 });
}
const statusItem = (page: Page, text: string) => page.locator('.part.statusbar .statusbar-item', { hasText: text });

/** Selects whole lines `first`..`last` (1-based) of the active editor with the keyboard. */
async function selectLines(page: Page, first: number, last: number): Promise<void> {
  await goToLine(page, first);
  await page.keyboard.press('Home');
  await page.keyboard.press('Home'); // the first Home stops at the indentation
  for (let i = first; i <= last; i++) await page.keyboard.press('Shift+ArrowDown');
}

async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  // Ctrl+G opens the quick input with ":" typed in; fill() replaces it, so it is typed again.
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/**
 * Runs the command, from the palette or on its key (Alt+I), and types the instruction into the
 * input box it opens (the same quick-input widget as the palette, so runCommand's wait for the
 * palette to close does not apply).
 */
async function editWithInstruction(page: Page, instruction: string, via: 'palette' | 'key' = 'key'): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  if (via === 'key') await page.keyboard.press('Alt+I');
  else {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.pressSequentially('Sovereign: Edit with Instruction', { delay: 5 });
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Edit with Instruction' }).first().click({ timeout: 10_000 });
  }
  await page.locator('.quick-input-widget', { hasText: 'Sovereign: Edit with Instruction' }).waitFor({ state: 'visible', timeout: 10_000 });
  await page.locator('.quick-input-widget input.input[placeholder^="e.g."]').waitFor({ state: 'visible', timeout: 10_000 });
  await input.pressSequentially(instruction, { delay: 5 });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The worker's CPU time in clock ticks (utime + stime). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Resolves once the worker used at most one tick over `windowMs`; rejects after `timeoutMs`. */
async function workerQuiet(pid: number, windowMs: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let last = cpuTicks(pid);
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuTicks(pid);
    if (now - last <= 1) return Date.now() - started;
    last = now;
  }
  throw new Error(`the worker kept computing for ${timeoutMs} ms after Escape`);
}

/** Rewrites the user and machine settings (the backend is machine-scoped) as a user editing them would. */
function setSettings(session: VsCodeSession, changes: Record<string, unknown>): void {
  for (const scope of ['User', 'Machine']) {
    const file = join(session.server.userDataDir, scope, 'settings.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), ...changes }, null, 2) + '\n');
  }
}

describe('UI: Edit with Instruction, streamed into the editor', function () {
  let session: VsCodeSession;
  let fake: FakeServer;

  before(async function () {
    this.timeout(600_000);
    fake = await startFakeServer();
    session = await openVsCode('dev', {
      'sovereign.chat.modelPath': testModelPath('fim-qwen2'),
      // Long enough that Escape lands mid-stream: the edit's answer room follows this setting.
      'sovereign.chat.maxTokens': 1500,
      'sovereign.chat.contextSize': 4096,
      'sovereign.server.url': fake.url,
    });
    await writeFile(join(session.folder, 'shapes.py'), original);
    await writeFile(join(session.folder, 'generate.py'), generateFile);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && session) await screenshot(session.page, `edit-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(60_000);
    await closeVsCodeLeavingNothing(session);
    await fake?.close();
  });

  it('embedded model: the answer streams into the editor; Escape mid-stream leaves the file byte-identical and the worker idle', async function () {
    this.timeout(240_000);
    const page = session.page;
    await openFromExplorer(page, 'shapes.py');
    const before = await editorText(page);
    await selectLines(page, 1, 2);
    await editWithInstruction(page, 'use clearer parameter names', 'palette');
    await statusItem(page, 'Sovereign is editing').waitFor({ state: 'visible', timeout: 120_000 });
    // Whatever the random model writes becomes preview lines as it streams (no prose filter hides it: it is not English).
    let seen = { added: 0, removed: 0 };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await statusItem(page, 'Sovereign is editing').isVisible())) {
      seen = await diffDecorations(page);
      if (seen.added > 0) break;
      await page.waitForTimeout(50);
    }
    await screenshot(page, 'edit-embedded-streaming');
    assert.ok(await statusItem(page, 'Sovereign is editing').isVisible(), 'still streaming when Escape is pressed');
    console.log(`      mid-stream decorations: ${seen.added} added, ${seen.removed} struck`);
    const pids = workerPids(session.server);
    assert.equal(pids.length, 1, `one worker: ${pids.join(',')}`);
    await page.keyboard.press('Escape');
    await statusItem(page, 'Sovereign is editing').waitFor({ state: 'hidden', timeout: 10_000 });
    const quietAfter = await workerQuiet(pids[0], 400, 10_000);
    console.log(`      worker idle ${quietAfter} ms after Escape (the answer had room for 1,500 tokens)`);
    assert.equal(await waitForEditorText(page, before), before, 'the text is exactly as before');
    assert.equal(readFileSync(join(session.folder, 'shapes.py'), 'utf8'), original, 'the file on disk is untouched');
    assert.deepEqual(await diffDecorations(page), { added: 0, removed: 0 }, 'no decoration is left');
  });

  it('team server: a decorated diff streams in; accepting one hunk and rejecting the other leaves exactly that text; undo restores the original', async function () {
    this.timeout(120_000);
    const page = session.page;
    setSettings(session, { 'sovereign.backend': 'openai-compatible' });
    await openFromExplorer(page, 'shapes.py');
    await selectLines(page, 5, 7);
    const requestsBefore = fake.requests.length;
    // The settings file is read back by VS Code on its own schedule: the first try may still go to the worker.
    for (let attempt = 1; ; attempt++) {
      await editWithInstruction(page, 'add type hints');
      await statusItem(page, 'Sovereign is editing').waitFor({ state: 'visible', timeout: 30_000 });
      if (fake.requests.length > requestsBefore) break;
      await page.waitForTimeout(300);
      if (fake.requests.length > requestsBefore) break;
      assert.ok(attempt < 5, 'the backend setting never took effect');
      await page.keyboard.press('Escape');
      await statusItem(page, 'Sovereign is editing').waitFor({ state: 'hidden', timeout: 10_000 });
      await page.waitForTimeout(1000);
      await selectLines(page, 5, 7);
    }
    const request = fake.requests.at(-1)!;
    assert.equal(request.instruction, 'add type hints');
    assert.match(request.body, /def perimeter\(w, h\)/, 'the target was sent');
    assert.doesNotMatch(request.body, /CANARY_/, 'no excluded file in the prompt');

    // While streaming: the old lines struck through and the new ones on the inserted-line colour.
    let seen = { added: 0, removed: 0 };
    while ((await statusItem(page, 'Sovereign is editing').isVisible()) && !(seen.added > 0 && seen.removed > 0)) {
      seen = await diffDecorations(page);
      await page.waitForTimeout(50);
    }
    assert.ok(seen.added > 0 && seen.removed > 0, `decorations while streaming: ${JSON.stringify(seen)}`);
    await screenshot(page, 'edit-server-streaming');

    await lens(page, 'Accept All (Alt+Enter)').waitFor({ state: 'visible', timeout: 30_000 });
    // The lenses of one provider answer can render a frame apart.
    await lens(page, 'Reject').nth(1).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await lens(page, 'Accept').count(), 2, 'one Accept per hunk');
    assert.equal(await lens(page, 'Reject').count(), 2, 'one Reject per hunk');
    const preview = await editorText(page);
    assert.match(preview, /def perimeter\(w, h\):\ndef perimeter\(w: float, h: float\) -> float:/, 'old line then new line');
    await screenshot(page, 'edit-server-hunks');

    await lens(page, 'Accept').first().click();
    await lens(page, 'Accept All (Alt+Enter)').waitFor({ state: 'detached', timeout: 10_000 });
    await lens(page, 'Reject').first().click();
    await lens(page, 'Reject').first().waitFor({ state: 'detached', timeout: 10_000 });
    const expected = original.replace('def perimeter(w, h):', 'def perimeter(w: float, h: float) -> float:');
    const shown = await waitForEditorText(page, 'def perimeter(w: float, h: float) -> float:\n    total = w + h\n    return 2 * total');
    // The editor renders the file's last, empty line too: its text is the file's, byte for byte.
    assert.equal(shown, expected, 'exactly the accepted hunk, not the rejected one');
    assert.deepEqual(await diffDecorations(page), { added: 0, removed: 0 });

    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Z');
    assert.equal(await waitForEditorText(page, 'def perimeter(w, h):'), original, 'one undo restores the original');
  });

  it('team server: "generate here" on an empty line inserts new code; Reject leaves the file unchanged', async function () {
    this.timeout(120_000);
    const page = session.page;
    await openFromExplorer(page, 'generate.py');
    const before = await editorText(page);
    await goToLine(page, 4);
    await editWithInstruction(page, 'generate a helper returning 42');
    await lens(page, 'Reject').waitFor({ state: 'visible', timeout: 30_000 });
    const shown = await editorText(page);
    assert.match(shown, /def first\(\):\n    return 1\n\ndef helper\(\):\n    return 42\n\ndef second\(\):/, 'inserted at the empty line, at its indentation');
    assert.ok((await diffDecorations(page)).added >= 2, 'the new lines are decorated');
    await screenshot(page, 'edit-generate-here');
    await lens(page, 'Reject').click();
    assert.equal(await waitForEditorText(page, before), before);
    await page.waitForFunction(() => !document.querySelector('.monaco-editor .codelens-decoration a'), undefined, { timeout: 10_000 });
    assert.equal(await editorText(page), before, 'the file is unchanged after Reject');
  });
});
