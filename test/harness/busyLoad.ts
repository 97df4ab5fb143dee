import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * The competing work of a user's machine, started and stopped by the benchmark itself:
 * - `compiler`: one CPU-bound process at normal priority (a build, a language server indexing);
 * - `indexer`: one per core at `nice 19` (a background indexer, a backup).
 * Busy loops in separate Node processes: pure CPU, no memory traffic to speak of, so what they
 * take from the model is cores, which is what collapses ggml's spinning thread team.
 * Shared by the bench (`bench:completion --busy`) and the test runner (besideLoad.ts).
 */
export type LoadKind = 'compiler' | 'indexer';

export const loadKinds: readonly LoadKind[] = ['compiler', 'indexer'];

export const loadDescriptions: Record<LoadKind, string> = {
  compiler: '1 busy process at normal priority',
  indexer: `${cpus().length} busy processes (one per core) at nice 19`,
};

export interface RunningLoad {
  kind: LoadKind;
  stop(): Promise<void>;
}

export function startLoad(kind: LoadKind): RunningLoad {
  // Each loop looks up its starter every ~0.1 s and exits once it is gone, so a starter killed
  // outright (SIGKILL, an OOM kill) leaves no busy loop behind eating the machine.
  const body = `const p = ${process.pid}; for (;;) { for (let i = 0; i < 1e8; i++); try { process.kill(p, 0); } catch { process.exit(0); } }`;
  const loop = [process.execPath, '-e', body];
  const children: ChildProcess[] =
    kind === 'compiler'
      ? [spawn(loop[0], loop.slice(1), { stdio: 'ignore' })]
      : cpus().map(() => spawn('nice', ['-n', '19', ...loop], { stdio: 'ignore' }));
  return {
    kind,
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
