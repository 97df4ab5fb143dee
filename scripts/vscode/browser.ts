/**
 * Opens the code-server workbench in Debian's chromium (headless, via playwright-core), and
 * small UI helpers for tests.
 *
 *   const server = await startCodeServer({ folder });
 *   const wb = await openWorkbench(server, { folder });
 *   await waitForWorkbench(wb.page);
 *   await openFile(wb.page, 'src/a.ts');
 *   ...
 *   await wb.close(); await server.stop();
 *
 * With extensionDevelopmentPath / extensionTestsPath, the window is an Extension Development
 * Host (needs the server's `enable-smoke-test-driver`, on by default in startCodeServer) and
 * `exitCode` resolves with the code the tests module's run() ended with.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { processGroup, processGroupOf, processesWithEnv, type CodeServer } from './codeServer';

export const CHROMIUM_PATH = process.env.SOVEREIGN_CHROMIUM ?? '/usr/bin/chromium';

const BROWSER_MARKER_VAR = 'SOVEREIGN_HARNESS_BROWSER_ID';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface OpenWorkbenchOptions {
  /** Folder to open (absolute, or resolved against cwd). */
  folder: string;
  /** Extension under development (folder with package.json) — loaded from the server's disk. */
  extensionDevelopmentPath?: string;
  /** Tests module (JS file exporting run(): Promise<void>) — run in the extension host. */
  extensionTestsPath?: string;
  /** Default true. */
  headless?: boolean;
  /** Default 1400x900. */
  viewport?: { width: number; height: number };
  /** Forward codeAutomationLog lines to stdout (default true). */
  echoLogs?: boolean;
}

export interface Workbench {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The code passed to codeAutomationExit (the tests' result). Rejects if the page crashes
   *  or is closed first. */
  exitCode: Promise<number>;
  /** Lines sent through codeAutomationLog: the workbench's console, which includes the
   *  extension host's console in an Extension Development Host (so the tests' output). */
  logs: string[];
  /** Console errors and page errors from the workbench page. */
  pageErrors: string[];
  /** The URL opened. */
  url: string;
  /** Live chromium processes of this launch (empty after close()). */
  leftoverPids(): number[];
  close(): Promise<void>;
}

function toRemoteUri(server: CodeServer, absPath: string): string {
  // vscode-remote://<authority><abs path>, the authority being what the page connects to.
  return `vscode-remote://127.0.0.1:${server.port}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`;
}

/** The workbench URL for a folder and an optional development payload. */
export function workbenchUrl(server: CodeServer, opts: Pick<OpenWorkbenchOptions, 'folder' | 'extensionDevelopmentPath' | 'extensionTestsPath'>): string {
  const params = new URLSearchParams();
  params.set('folder', path.resolve(opts.folder));
  const payload: [string, string][] = [];
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', toRemoteUri(server, opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', toRemoteUri(server, opts.extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.url}/?${params.toString()}`;
}

/** console-style formatting: the workbench forwards console.log(fmt, ...args) as an array
 *  (mocha's reporters use '%s' / '%d' placeholders). */
function formatArgs(args: unknown): string {
  if (Array.isArray(args)) return util.format(...(args as unknown[]));
  return typeof args === 'string' ? args : util.inspect(args);
}

export async function openWorkbench(server: CodeServer, opts: OpenWorkbenchOptions): Promise<Workbench> {
  for (const [name, p] of [
    ['folder', opts.folder],
    ['extensionDevelopmentPath', opts.extensionDevelopmentPath],
    ['extensionTestsPath', opts.extensionTestsPath],
  ] as const) {
    if (p !== undefined && !fs.existsSync(p)) throw new Error(`openWorkbench: ${name} does not exist: ${p}`);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`openWorkbench: no chromium at ${CHROMIUM_PATH} (run test/harness/setup.sh, or set SOVEREIGN_CHROMIUM)`);
  }
  // Playwright gives each launch a fresh temporary --user-data-dir and removes it on close.
  // The marker variable lets close() find every chromium process of this launch, including the
  // crashpad handlers, which leave the process group and are reparented to init.
  const marker = randomUUID();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: opts.headless ?? true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    env: { ...process.env, [BROWSER_MARKER_VAR]: marker },
  });
  // Chromium's zygote children rewrite their environment area, so also take the process groups
  // of the marked processes (playwright starts chromium detached, in its own group).
  const ownGroup = processGroupOf(process.pid);
  const leftoverPids = () => {
    const marked = processesWithEnv(BROWSER_MARKER_VAR, marker);
    const groups = new Set(marked.map(processGroupOf).filter((g): g is number => g !== undefined && g !== ownGroup));
    const all = new Set([...marked, ...[...groups].flatMap(processGroup)]);
    all.delete(process.pid);
    return [...all].sort((a, b) => a - b);
  };
  try {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const logs: string[] = [];
    const pageErrors: string[] = [];
    const echo = opts.echoLogs ?? true;

    let settle!: { resolve: (c: number) => void; reject: (e: Error) => void };
    const exitCode = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
    exitCode.catch(() => undefined); // callers that do not await it must not see an unhandled rejection
    let exited = false;

    // Both must exist before the workbench loads: it looks them up when the tests finish.
    await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
      const line = formatArgs(args);
      logs.push(line);
      if (echo) (type === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      exited = true;
      settle.resolve(typeof code === 'number' ? code : Number(code ?? 1));
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('crash', () => settle.reject(new Error('workbench page crashed')));
    page.on('close', () => {
      if (!exited) settle.reject(new Error('workbench page closed before codeAutomationExit'));
    });

    serverOfPage.set(page, server);
    const url = workbenchUrl(server, opts);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

    let closing: Promise<void> | undefined;
    const close = () => (closing ??= closeBrowser(browser, leftoverPids));
    return { browser, context, page, exitCode, logs, pageErrors, url, leftoverPids, close };
  } catch (e) {
    await closeBrowser(browser, leftoverPids);
    throw e;
  }
}

/** Closes the browser, then makes sure none of its processes is left (SIGKILL after 5 s). */
async function closeBrowser(browser: Browser, leftoverPids: () => number[]): Promise<void> {
  await withTimeout(browser.close(), 15_000).catch(() => undefined);
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (leftoverPids().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return leftoverPids().length === 0;
  };
  if (await gone(5_000)) return;
  for (const pid of leftoverPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (!(await gone(5_000))) throw new Error(`browser close: chromium processes still alive: ${leftoverPids().join(' ')}`);
}

// ---------------------------------------------------------------------------------------------
// UI helpers

const serverOfPage = new WeakMap<Page, CodeServer>();

/**
 * Waits until the workbench is restored and the extension host is up: the page's extension-host
 * socket is connected and (when the page came from openWorkbench) the server's remote extension
 * host has logged "Eager extensions activated" (onStartupFinished extensions activate right after).
 */
export async function waitForWorkbench(page: Page, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const step = async <T>(what: string, p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      throw new Error(`waitForWorkbench: ${what} (timeout ${timeoutMs} ms): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  };
  await step('no .monaco-workbench', page.waitForSelector('.monaco-workbench', { state: 'attached', timeout: left() }));
  await step(
    'window.driver never appeared (code-server needs --vscode-option enable-smoke-test-driver)',
    page.waitForFunction(() => !!(globalThis as unknown as { driver?: unknown }).driver, undefined, { timeout: left() }),
  );
  await step(
    'workbench not restored',
    withTimeout(
      page.evaluate(() => (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver.whenWorkbenchRestored()),
      left(),
    ),
  );
  await step('statusbar not visible', page.waitForSelector('.part.statusbar', { state: 'visible', timeout: left() }));
  // The page side: "Creating a socket (renderer-ExtensionHost-...) was successful" in window.log.
  await step(
    'extension host socket never connected',
    poll(async () => {
      const logs = await page.evaluate(() =>
        (globalThis as unknown as { driver: { getLogs(): Promise<{ relativePath: string; contents: string }[]> } }).driver.getLogs(),
      );
      return logs.some((l) => /Creating a socket \(renderer-ExtensionHost-[^)]*\) was successful/.test(l.contents));
    }, left()),
  );
  // The server side: the remote extension host finished activating its eager extensions.
  const server = serverOfPage.get(page);
  if (server) {
    await step(
      `remote extension host never logged "Eager extensions activated" (logs: ${path.join(server.userDataDir, 'logs')})`,
      poll(async () => remoteExtHostLogs(server).some((f) => readSafe(f).includes('Eager extensions activated')), left()),
    );
  }
}

/** The server's remote extension host log files (<userDataDir>/logs/<session>/exthost<N>/remoteexthost.log). */
export function remoteExtHostLogs(server: CodeServer): string[] {
  const out: string[] = [];
  const logs = path.join(server.userDataDir, 'logs');
  for (const session of safeReaddir(logs)) {
    for (const dir of safeReaddir(path.join(logs, session))) {
      if (!dir.startsWith('exthost')) continue;
      const f = path.join(logs, session, dir, 'remoteexthost.log');
      if (fs.existsSync(f)) out.push(f);
    }
  }
  return out;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readSafe(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function poll(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`still false after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function quickInput(page: Page, key: string, text: string, timeoutMs: number): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await page.keyboard.press(key);
  await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.pressSequentially(text, { delay: 5 });
}

/** Quick-opens a file (Ctrl+P), relative to the opened folder, and waits for its editor tab. */
export async function openFile(page: Page, relPath: string, timeoutMs = 20_000): Promise<void> {
  const base = path.posix.basename(relPath.split(path.sep).join('/'));
  await quickInput(page, 'Control+P', relPath, timeoutMs);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${base.replace(/"/g, '\\"')}"]`).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Runs a command by its title through the command palette (F1). */
export async function runCommand(page: Page, title: string, timeoutMs = 20_000): Promise<void> {
  await quickInput(page, 'F1', title, timeoutMs);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const exact = rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }) });
  await rows.first().waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await exact.count()) > 0) await exact.first().click({ timeout: timeoutMs });
  else {
    const labels = await rows.locator('.label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`runCommand: no command titled "${title}" (palette shows: ${labels.join(' | ')})`);
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Text of the active editor as rendered (visible lines only), lines joined with \n. */
export async function editorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-instance .monaco-editor .view-lines .view-line');
  const withTop = await lines.evaluateAll((els) =>
    els.map((el) => ({ top: parseFloat((el as unknown as { style: { top: string } }).style.top) || 0, text: (el as unknown as { textContent: string | null }).textContent ?? '' })),
  );
  // Rendered lines are not in DOM order; sort by position. Monaco renders spaces as U+00A0.
  return withTop
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** Waits until the active editor's rendered text (as editorText returns it) matches. */
export async function waitForEditorText(page: Page, expected: string | RegExp, timeoutMs = 20_000): Promise<string> {
  let last = '';
  try {
    await poll(async () => {
      last = await editorText(page);
      return typeof expected === 'string' ? last.includes(expected) : expected.test(last);
    }, timeoutMs, 100);
  } catch {
    throw new Error(`waitForEditorText: editor never showed ${String(expected)} within ${timeoutMs} ms; it shows:\n${last}`);
  }
  return last;
}

/**
 * Waits for a notification (e.g. vscode.window.showInformationMessage) containing `text`.
 * In 1.139's web workbench the toast can show up late (seen: >15 s, or only after other UI
 * activity), but the screen-reader alert (.monaco-alert) carries the message at once: accept either.
 */
export async function waitForNotification(page: Page, text: string, timeoutMs = 20_000): Promise<void> {
  const sel = ['.notification-toast', '.notifications-center .notification-list-item', '.monaco-aria-container .monaco-alert'];
  try {
    await poll(
      () =>
        page.evaluate(
          ({ sel, text }) => {
            const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
            return sel.some((s) => Array.from(doc.querySelectorAll(s)).some((e) => (e.textContent ?? '').includes(text)));
          },
          { sel, text },
        ),
      timeoutMs,
      100,
    );
  } catch {
    throw new Error(`waitForNotification: no notification containing ${JSON.stringify(text)} within ${timeoutMs} ms`);
  }
}

/** Saves a PNG into test-results/ (relative to the current directory) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.resolve(process.env.SOVEREIGN_TEST_RESULTS ?? 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}${name.endsWith('.png') ? '' : '.png'}`);
  await page.screenshot({ path: file, timeout: 30_000 });
  return file;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
