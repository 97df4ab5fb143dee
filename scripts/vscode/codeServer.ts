/**
 * Starts a throwaway code-server (VS Code 1.139.1) for UI and integration tests.
 *
 *   const server = await startCodeServer({ folder: '/abs/fixture' });
 *   ... server.url ...
 *   await server.stop();   // kills the whole process group and waits for it
 *
 * Each server gets a fresh temp root holding its user-data-dir, extensions dir (unless given),
 * XDG dirs, TMPDIR and server.log. stop() removes that root unless SOVEREIGN_KEEP_TEST_DIRS=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureCodeServer } from './installCodeServer';

export interface StartCodeServerOptions {
  /** Folder opened in the workbench (absolute, or resolved against cwd). */
  folder: string;
  /** Merged over DEFAULT_USER_SETTINGS into <userDataDir>/User/settings.json. */
  userSettings?: object;
  /** Extensions dir to use (default: a fresh one in the server's temp root). */
  extensionsDir?: string;
  /** A .vsix installed with --install-extension into extensionsDir before the server starts. */
  installVsix?: string;
  /** Pass `--vscode-option enable-smoke-test-driver` (needed for the dev payload). Default true. */
  smokeTestDriver?: boolean;
  /** Extra code-server arguments. */
  extraArgs?: string[];
  /** Wait this long for /healthz (default 60 s). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  /** pid of the code-server process (= its process group id). */
  pid: number;
  /** File receiving code-server's stdout and stderr. */
  logFile: string;
  /** The last part of the server's output. */
  logTail(): string;
  /** Resolves when the server process has exited (with its exit code, or null when signalled). */
  exited: Promise<number | null>;
  /** Pids still alive that belong to this server: its process group, its descendants, and any
   *  process carrying its marker environment variable (catches reparented orphans). */
  leftoverPids(): number[];
  stop(): Promise<void>;
}

export const DEFAULT_USER_SETTINGS = {
  'files.autoSave': 'off',
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
} as const;

const MARKER_VAR = 'SOVEREIGN_HARNESS_SERVER_ID';
const TAIL_CHARS = 20_000;

function harnessLog(msg: string): void {
  if (process.env.SOVEREIGN_HARNESS_QUIET !== '1') process.stderr.write(`[codeServer] ${msg}\n`);
}

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (!addr || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not get a free port'));
        return;
      }
      const port = addr.port;
      srv.close(() => resolve(port));
    });
  });
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
}

function readProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ..." — comm may contain spaces and parentheses.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = rest[0];
      if (state === 'Z' || state === 'X') continue; // zombies are already dead
      out.push({ pid: Number(name), ppid: Number(rest[1]), pgid: Number(rest[2]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Pids of all live descendants of `pid` (children, grandchildren, ...), via /proc. */
export function processTree(pid: number): number[] {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const result: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length) {
    const next = queue.shift()!;
    result.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return result;
}

/** Pids of live processes in process group `pgid`. */
export function processGroup(pgid: number): number[] {
  return readProcs()
    .filter((p) => p.pgid === pgid)
    .map((p) => p.pid);
}

/** The process group id of `pid` (undefined when it is gone). */
export function processGroupOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/** Pids of live processes whose environment has NAME=value. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const out: number[] = [];
  for (const p of readProcs()) {
    try {
      const env = fs.readFileSync(`/proc/${p.pid}/environ`, 'utf8').split('\0');
      if (env.includes(needle)) out.push(p.pid);
    } catch {
      /* exited, or not ours to read */
    }
  }
  return out;
}

const liveServers = new Set<() => void>();
let signalCleanupInstalled = false;

/** On SIGINT/SIGTERM/SIGHUP, kill the servers still running, then die of the same signal (unless
 *  someone else, e.g. mocha, also handles it: then leave the exit to them). */
function installSignalCleanup(): void {
  if (signalCleanupInstalled) return;
  signalCleanupInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      for (const kill of liveServers) kill();
      liveServers.clear();
      if (process.listenerCount(sig) === 1) {
        process.off(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Environment for code-server: ours, minus variables that would make it talk to another
 *  VS Code (VSCODE_IPC_HOOK_CLI forwards --install-extension to it) or load tsx's loader. */
function childEnv(root: string, id: string, node: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'NODE_OPTIONS') continue;
    if (k.startsWith('npm_')) continue;
    env[k] = v;
  }
  const dirs = {
    XDG_CONFIG_HOME: path.join(root, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(root, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(root, 'xdg', 'cache'),
    XDG_STATE_HOME: path.join(root, 'xdg', 'state'),
    XDG_RUNTIME_DIR: path.join(root, 'xdg', 'runtime'),
    TMPDIR: path.join(root, 'tmp'),
  };
  for (const [k, v] of Object.entries(dirs)) {
    fs.mkdirSync(v, { recursive: true, mode: 0o700 });
    env[k] = v;
  }
  env.TMP = env.TEMP = dirs.TMPDIR;
  env[MARKER_VAR] = id;
  // Node 24 first on PATH, for anything code-server or an extension spawns as plain `node`.
  env.PATH = `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`;
  return env;
}

function runToEnd(node: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`code-server ${args.join(' ')} timed out after ${timeoutMs} ms\n${out}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`code-server ${args.join(' ')} exited with ${code}\n${out}`));
    });
  });
}

export async function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer> {
  const { entry, node } = await ensureCodeServer();
  const folder = path.resolve(opts.folder);
  if (!fs.existsSync(folder)) throw new Error(`startCodeServer: folder does not exist: ${folder}`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sovereign-cs-'));
  const id = randomUUID();
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.resolve(opts.extensionsDir ?? path.join(root, 'extensions'));
  const logFile = path.join(root, 'server.log');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const settingsJson = JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...(opts.userSettings ?? {}) }, null, 2) + '\n';
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), settingsJson);
  // The code-server window is a remote window: machine-scoped settings (model paths) are read
  // from the server machine's settings, as a user who configured that machine would have them.
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), settingsJson);
  const env = childEnv(root, id, node);
  const removeRoot = () => {
    if (process.env.SOVEREIGN_KEEP_TEST_DIRS === '1') {
      harnessLog(`keeping ${root}`);
      return;
    }
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    if (opts.installVsix) {
      const vsix = path.resolve(opts.installVsix);
      if (!fs.existsSync(vsix)) throw new Error(`installVsix: no such file: ${vsix}`);
      const t0 = Date.now();
      await runToEnd(
        node,
        [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
        env,
        120_000,
      );
      harnessLog(`installed ${path.basename(vsix)} into ${extensionsDir} in ${Date.now() - t0} ms`);
    }
  } catch (e) {
    removeRoot();
    throw e;
  }

  const port = await freePort();
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--reconnection-grace-time',
    '5',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(opts.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    ...(opts.extraArgs ?? []),
    folder,
  ];
  const t0 = Date.now();
  const logFd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(node, args, { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    fs.closeSync(logFd);
    removeRoot();
    throw e;
  }
  const pid = child.pid;
  if (pid === undefined) {
    fs.closeSync(logFd);
    removeRoot();
    throw new Error('startCodeServer: spawn failed (no pid)');
  }
  let tail = '';
  const onData = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-TAIL_CHARS);
    try {
      fs.writeSync(logFd, b);
    } catch {
      /* closed */
    }
    if (process.env.SOVEREIGN_HARNESS_VERBOSE === '1') process.stderr.write(b);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  // Never leave the server behind us, also when the test process exits or is interrupted.
  const onParentExit = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.on('exit', onParentExit);
  liveServers.add(onParentExit);
  installSignalCleanup();

  const leftoverPids = () => {
    const set = new Set<number>([
      ...(isAlive(pid) ? [pid] : []),
      ...processGroup(pid),
      ...processTree(pid),
      ...processesWithEnv(MARKER_VAR, id),
    ]);
    set.delete(process.pid);
    return [...set].filter(isAlive).sort((a, b) => a - b);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const signalAll = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          /* group gone */
        }
        for (const p of leftoverPids()) {
          try {
            process.kill(p, sig);
          } catch {
            /* gone */
          }
        }
      };
      signalAll('SIGTERM');
      const deadline = Date.now() + 5_000;
      while (leftoverPids().length && Date.now() < deadline) await sleep(100);
      if (leftoverPids().length) {
        harnessLog(`code-server ${pid} still running 5 s after SIGTERM: SIGKILL ${leftoverPids().join(' ')}`);
        signalAll('SIGKILL');
        const killDeadline = Date.now() + 5_000;
        while (leftoverPids().length && Date.now() < killDeadline) await sleep(100);
      }
      await Promise.race([exited, sleep(5_000)]);
      process.off('exit', onParentExit);
      liveServers.delete(onParentExit);
      try {
        fs.closeSync(logFd);
      } catch {
        /* already */
      }
      const left = leftoverPids();
      removeRoot();
      if (left.length) throw new Error(`code-server stop: processes still alive: ${left.join(' ')}`);
    })();
    return stopping;
  };

  const url = `http://127.0.0.1:${port}`;
  const server: CodeServer = {
    url,
    port,
    userDataDir,
    extensionsDir,
    pid,
    logFile,
    logTail: () => tail,
    exited,
    leftoverPids,
    stop,
  };

  // Wait for /healthz.
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined) {
      await stop().catch(() => undefined);
      throw new Error(`code-server exited (code ${exitCode}) before it was healthy:\n${tail}`);
    }
    try {
      if ((await httpStatus(`${url}/healthz`, 2_000)) === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop().catch(() => undefined);
      throw new Error(`code-server not healthy on ${url} after ${timeoutMs} ms:\n${tail}`);
    }
    await sleep(100);
  }
  harnessLog(`code-server ${pid} healthy on ${url} in ${Date.now() - t0} ms (folder ${folder})`);
  return server;
}
