/**
 * llama-server and llama-bench for the completion benchmark, built ONCE from the llama.cpp source
 * that node-llama-cpp ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), into
 *
 *   <cache>/llama.cpp-build-<commit>/
 *     bin/llama-server, bin/llama-bench   (static: no rpath into the build tree)
 *     build.log
 *     .complete                            (written last, before the atomic rename)
 *
 * <cache> = $SOVEREIGN_DEV_CACHE or ~/.cache/sovereign-dev. The build runs in a temp folder beside
 * the final one and is renamed into place when done; a lock file (with the builder's pid) makes a
 * second run wait for the first instead of building twice.
 *
 * Build flags: no native AMX (-DGGML_NATIVE=ON builds crashed on Q8_0 on this CPU, see
 * /work/shared/docs/test-models.md); AVX/AVX2/FMA/F16C/AVX512/VNNI on. With an F16 model both
 * llama.cpp here and node-llama-cpp's prebuilt binaries then run the same kernels.
 *
 * Run directly to build: `npx tsx bench/llamaServer.ts`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheDir(): string {
  return process.env.SOVEREIGN_DEV_CACHE ?? path.join(os.homedir(), '.cache', 'sovereign-dev');
}

export const CMAKE_FLAGS = [
  '-DCMAKE_BUILD_TYPE=Release',
  '-DBUILD_SHARED_LIBS=OFF',
  '-DGGML_NATIVE=OFF',
  '-DGGML_AVX=ON',
  '-DGGML_AVX2=ON',
  '-DGGML_FMA=ON',
  '-DGGML_F16C=ON',
  '-DGGML_AVX512=ON',
  '-DGGML_AVX512_VNNI=ON',
  '-DLLAMA_BUILD_SERVER=ON',
  '-DLLAMA_BUILD_TESTS=OFF',
  '-DLLAMA_BUILD_EXAMPLES=OFF',
  '-DLLAMA_CURL=OFF',
  '-DLLAMA_OPENSSL=OFF',
];
const TARGETS = ['llama-server', 'llama-bench'];

function log(msg: string): void {
  process.stderr.write(`[llamaServer] ${msg}\n`);
}

export function findBundle(): string {
  const rel = path.join('node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
  for (let dir = path.resolve(__dirname); ; dir = path.dirname(dir)) {
    const p = path.join(dir, rel);
    if (fs.existsSync(p)) return p;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`cannot find ${rel} above ${__dirname}`);
}

function bundleCommit(bundle: string): string {
  const out = execFileSync('git', ['bundle', 'list-heads', bundle], { encoding: 'utf8' }).trim();
  const commit = out.split('\n')[0]?.split(/\s+/)[0] ?? '';
  if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`unexpected git bundle list-heads output: ${out}`);
  return commit;
}

export interface LlamaBinaries {
  server: string;
  bench: string;
}

function layout(dir: string): LlamaBinaries & { marker: string } {
  return {
    server: path.join(dir, 'bin', 'llama-server'),
    bench: path.join(dir, 'bin', 'llama-bench'),
    marker: path.join(dir, '.complete'),
  };
}

function isComplete(dir: string): boolean {
  const l = layout(dir);
  return fs.existsSync(l.marker) && fs.existsSync(l.server) && fs.existsSync(l.bench);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(cmd: string, args: string[], cwd: string, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.appendFileSync(logFile, `\n$ ${cmd} ${args.join(' ')}\n`);
    log(`$ ${cmd} ${args.join(' ')}`);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const tail = fs.readFileSync(logFile, 'utf8').slice(-4000);
        reject(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}); log ${logFile}\n${tail}`));
      }
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let pending: Promise<LlamaBinaries> | undefined;

/** Idempotent; returns at once when the cache already holds a complete build. */
export function ensureLlamaServer(): Promise<LlamaBinaries> {
  pending ??= doEnsure().finally(() => (pending = undefined));
  return pending;
}

async function doEnsure(): Promise<LlamaBinaries> {
  const bundle = findBundle();
  const commit = bundleCommit(bundle);
  const cache = cacheDir();
  const final = path.join(cache, `llama.cpp-build-${commit}`);
  const done = (): LlamaBinaries => {
    const { server, bench } = layout(final);
    return { server, bench };
  };
  if (isComplete(final)) return done();
  fs.mkdirSync(cache, { recursive: true });
  const lock = `${final}.lock`;
  // Take the lock, or wait for the process that holds it.
  for (;;) {
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lock, 'utf8').trim());
      if (!holder || !pidAlive(holder)) {
        log(`removing stale lock ${lock} (pid ${holder || '?'} is gone)`);
        fs.rmSync(lock, { force: true });
        continue;
      }
      log(`another process (pid ${holder}) is building llama.cpp; waiting…`);
      while (fs.existsSync(lock) && pidAlive(holder)) await sleep(2000);
      if (isComplete(final)) return done();
    }
  }
  try {
    if (isComplete(final)) return done();
    fs.rmSync(final, { recursive: true, force: true });
    for (const name of fs.readdirSync(cache)) {
      if (name.startsWith(`llama.cpp-build-${commit}.tmp-`)) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
    }
    const tmp = fs.mkdtempSync(`${final}.tmp-`);
    fs.chmodSync(tmp, 0o755);
    const logFile = path.join(tmp, 'build.log');
    const started = Date.now();
    log(`building llama-server + llama-bench (${commit.slice(0, 10)}) in ${tmp}; this takes minutes on 2 cores (log: ${logFile})`);
    const src = path.join(tmp, 'src');
    await run('git', ['clone', '--quiet', bundle, src], tmp, logFile);
    const build = path.join(tmp, 'build');
    await run('cmake', ['-S', src, '-B', build, ...CMAKE_FLAGS], tmp, logFile);
    await run('cmake', ['--build', build, '--config', 'Release', '-j2', '--target', ...TARGETS], tmp, logFile);
    fs.mkdirSync(path.join(tmp, 'bin'));
    for (const t of TARGETS) fs.copyFileSync(path.join(build, 'bin', t), path.join(tmp, 'bin', t));
    for (const t of TARGETS) fs.chmodSync(path.join(tmp, 'bin', t), 0o755);
    fs.writeFileSync(path.join(tmp, 'flags.txt'), CMAKE_FLAGS.join('\n') + '\n');
    fs.rmSync(build, { recursive: true, force: true });
    fs.rmSync(src, { recursive: true, force: true });
    fs.writeFileSync(layout(tmp).marker, `${new Date().toISOString()} ${Math.round((Date.now() - started) / 1000)} s\n`);
    fs.renameSync(tmp, final);
    log(`built in ${Math.round((Date.now() - started) / 1000)} s → ${final}`);
    return done();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export interface LlamaServerOptions {
  model: string;
  port: number;
  threads: number;
  ctx: number;
  /** logical / physical batch (llama.vscode's README uses -ub 512 -b 512 on CPU) */
  batch?: number;
  /** extra arguments appended last */
  extraArgs?: string[];
  /** where server output goes (default: kept in memory, last 16 KB shown on failure) */
  logFile?: string;
}

export interface LlamaServer {
  url: string;
  args: string[];
  pid: number;
  /** How the process ended, or undefined while it runs. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last 16 KB of its output (what a failure report shows). */
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * Starts llama-server on 127.0.0.1 with the flags llama.vscode's README recommends for FIM
 * (`--cache-reuse 256`, `-ub/-b 512` on CPU), one slot (-np 1, as llama.vscode uses a single fixed
 * slot), and resolves when /health says ok.
 */
export async function startLlamaServer(opts: LlamaServerOptions): Promise<LlamaServer> {
  const { server } = await ensureLlamaServer();
  const batch = opts.batch ?? 512;
  const args = [
    '-m', opts.model,
    '--host', '127.0.0.1',
    '--port', String(opts.port),
    '-t', String(opts.threads),
    '-tb', String(opts.threads),
    '-c', String(opts.ctx),
    '-np', '1',
    '-b', String(batch),
    '-ub', String(batch),
    '--cache-reuse', '256',
    '-ngl', '0',
    '--no-webui',
    '--no-warmup',
    ...(opts.extraArgs ?? []),
  ];
  let tail = '';
  const child: ChildProcess = spawn(server, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const logFd = opts.logFile ? fs.openSync(opts.logFile, 'a') : undefined;
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-16000);
    if (logFd !== undefined) fs.writeSync(logFd, b);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((r) => child.on('exit', (code, signal) => ((exited = true), (exitStatus = { code, signal }), r())));
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(t);
    }
    if (logFd !== undefined) fs.closeSync(logFd);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`llama-server exited during start-up:\n${tail}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`llama-server not healthy after 120 s:\n${tail}`);
    }
    await sleep(200);
  }
  return { url, args, pid: child.pid!, exitStatus: () => exitStatus, logTail: () => tail, stop };
}

if (require.main === module) {
  ensureLlamaServer().then(
    (b) => console.log(JSON.stringify(b)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
