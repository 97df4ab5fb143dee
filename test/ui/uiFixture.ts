import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
export { chatFrame, reloadChatView, sendChatMessage } from '../../scripts/vscode/chatView';
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

export interface OpenVsCodeOptions {
  /** Log at debug level (code-server's --log), so sovereignLogTail can say what each request did. */
  debugLog?: boolean;
  /** Runs on the workspace folder before VS Code opens it (e.g. to make it a git repository). */
  prepare?: (folder: string) => Promise<void>;
}

/** A real VS Code (code-server) in a real browser, with Sovereign from the working tree or a VSIX. */
export async function openVsCode(from: 'dev' | 'vsix', settings: Record<string, unknown> = {}, options: OpenVsCodeOptions = {}): Promise<VsCodeSession> {
  const folder = await prepareIntegrationWorkspace();
  await options.prepare?.(folder);
  const server = await startCodeServer({
    folder,
    installVsix: from === 'vsix' ? vsixPath : undefined,
    userSettings: { ...integrationSettings(), ...uiSettings, ...settings },
    extraArgs: options.debugLog ? ['--log', 'debug'] : [],
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

/** The last lines of Sovereign's log in this session (its output channel's file), for a failure message. */
export function sovereignLogTail(session: VsCodeSession, lines = 40): string {
  const logs = join(session.server.userDataDir, 'logs');
  const files = existsSync(logs)
    ? readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(join('sovereign.sovereign', 'Sovereign.log'))).map((f) => join(logs, f))
    : [];
  const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  return text ? text.trimEnd().split('\n').slice(-lines).join('\n') : '(no Sovereign log found)';
}

/** Builds the VSIX when it is missing or older than the build it would carry. */
export function ensureVsix(): void {
  const built = resolve(repo, 'dist', 'extension.js');
  if (existsSync(vsixPath) && existsSync(built) && statSync(vsixPath).mtimeMs > statSync(built).mtimeMs) return;
  execFileSync('npm', ['run', 'package'], { cwd: repo, stdio: 'inherit' });
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
