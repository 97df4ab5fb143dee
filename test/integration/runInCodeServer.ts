/**
 * Runs an extension's integration tests inside code-server (VS Code 1.139.1) + headless chromium,
 * the offline replacement for @vscode/test-electron.
 *
 * The tests module is a JS file exporting `run(): Promise<void>` (the standard VS Code test-suite
 * shape); it runs in the Node extension host of an "[Extension Development Host]" window.
 *
 * CLI:
 *   npx tsx test/integration/runInCodeServer.ts \
 *     --extensionDevelopmentPath <dir> --extensionTestsPath <file.js> \
 *     [--folder <dir>] [--settings <file.json | inline JSON>] [--timeout <ms>]
 * Exit status = the tests' exit code (124 on timeout, 2 on a harness failure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkbench, type Workbench } from '../../scripts/vscode/browser';
import { startCodeServer, type CodeServer } from '../../scripts/vscode/codeServer';

export interface RunExtensionTestsOptions {
  extensionDevelopmentPath: string;
  /** JS module exporting run(): Promise<void>. */
  extensionTestsPath: string;
  /** Workspace folder to open (default: extensionDevelopmentPath). */
  folder?: string;
  userSettings?: object;
  /** Whole run, from server start to exit code (default 5 minutes). */
  timeoutMs?: number;
}

export class ExtensionTestsTimeoutError extends Error {}

export async function runExtensionTests(opts: RunExtensionTestsOptions): Promise<number> {
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const extensionDevelopmentPath = path.resolve(opts.extensionDevelopmentPath);
  const extensionTestsPath = path.resolve(opts.extensionTestsPath);
  const folder = path.resolve(opts.folder ?? extensionDevelopmentPath);
  for (const [name, p] of [
    ['extensionDevelopmentPath', path.join(extensionDevelopmentPath, 'package.json')],
    ['extensionTestsPath', extensionTestsPath],
    ['folder', folder],
  ] as const) {
    if (!fs.existsSync(p)) throw new Error(`runExtensionTests: ${name}: ${p} does not exist`);
  }

  const t0 = Date.now();
  let server: CodeServer | undefined;
  let wb: Workbench | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExtensionTestsTimeoutError(`extension tests did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  timeout.catch(() => undefined);

  try {
    const run = async (): Promise<number> => {
      server = await startCodeServer({ folder, userSettings: opts.userSettings });
      wb = await openWorkbench(server, { folder, extensionDevelopmentPath, extensionTestsPath });
      const serverDied = server.exited.then((code) => {
        throw new Error(`code-server exited (code ${code}) before the tests finished`);
      });
      return Promise.race([wb.exitCode, serverDied]);
    };
    const code = await Promise.race([run(), timeout]);
    log(`tests exited with ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return code;
  } catch (e) {
    const s = server as CodeServer | undefined;
    const w = wb as Workbench | undefined;
    const details = [
      w?.pageErrors.length ? `workbench errors:\n  ${w.pageErrors.slice(-20).join('\n  ')}` : '',
      s ? `code-server output (tail):\n${s.logTail().slice(-4000)}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    if (e instanceof Error && details) e.message += `\n${details}`;
    throw e;
  } finally {
    clearTimeout(timer);
    // Always tear down, each step bounded, browser first (it holds the server connection).
    const w = wb as Workbench | undefined;
    const s = server as CodeServer | undefined;
    if (w) await w.close().catch((e: unknown) => log(`closing the browser failed: ${String(e)}`));
    if (s) await s.stop().catch((e: unknown) => log(`stopping code-server failed: ${String(e)}`));
  }
}

function log(msg: string): void {
  process.stderr.write(`[runInCodeServer] ${msg}\n`);
}

function parseArgs(argv: string[]): RunExtensionTestsOptions {
  const get = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    const a = argv[i]!;
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
  };
  const extensionDevelopmentPath = get('extensionDevelopmentPath');
  const extensionTestsPath = get('extensionTestsPath');
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error(
      'usage: runInCodeServer.ts --extensionDevelopmentPath <dir> --extensionTestsPath <file.js> [--folder <dir>] [--settings <json file or JSON>] [--timeout <ms>]',
    );
  }
  const settings = get('settings');
  let userSettings: object | undefined;
  if (settings) userSettings = JSON.parse(settings.trim().startsWith('{') ? settings : fs.readFileSync(settings, 'utf8')) as object;
  const timeout = get('timeout');
  return {
    extensionDevelopmentPath,
    extensionTestsPath,
    folder: get('folder'),
    userSettings,
    timeoutMs: timeout ? Number(timeout) : undefined,
  };
}

if (process.argv[1] && /(^|[\\/])runInCodeServer(\.ts)?$/.test(process.argv[1])) {
  let opts: RunExtensionTestsOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  runExtensionTests(opts).then(
    (code) => process.exit(code),
    (e: unknown) => {
      log(`FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      process.exit(e instanceof ExtensionTestsTimeoutError ? 124 : 2);
    },
  );
}
