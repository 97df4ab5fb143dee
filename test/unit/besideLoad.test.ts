import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { resolve } from 'node:path';

const runner = resolve(__dirname, '..', 'harness', 'besideLoad.ts');
const tsx = resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');

// The command prints the busy loops among its siblings, the runner's other children ($PPID is
// the runner), with their nice value, then does what `then` says. The loops are picked by their
// command line, which counts to 1e8: tsx's esbuild service is a child of the runner too, and this
// shell (whose own command line says 1e8) is left out. A loop just spawned may not have passed
// through `nice` yet, so the listing is taken again until none shows 0.
const listLoops =
  'for i in $(seq 1 50); do L=$(for p in $(pgrep -P $PPID -f 1e8); do [ $p != $$ ] && echo "loop $p $(ps -o ni= -p $p)"; done); ' +
  'case "$L" in *" 0"*) sleep 0.1;; *) break;; esac; done; echo "$L"; echo listed';

interface Run {
  loops: { pid: number; nice: number }[];
  code: number | null;
  output: string;
}

function runBesideLoad(then: string, onListed?: (runnerPid: number) => void): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(tsx, [runner, 'sh', '-c', `${listLoops}; ${then}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      // A line of its own: the runner's echo of the command also contains the word.
      const had = /^listed$/m.test(output);
      output += chunk.toString();
      if (!had && /^listed$/m.test(output)) onListed?.(child.pid!);
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      const loops = [...output.matchAll(/^loop (\d+) +(-?\d+)$/gm)].map((m) => ({ pid: Number(m[1]), nice: Number(m[2]) }));
      done({ loops, code, output });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('besideLoad (test runner beside a nice-19 load)', function () {
  this.timeout(60_000);

  it('runs the command beside one nice-19 loop per core, passes its exit code on, and leaves no loop behind', async () => {
    const run = await runBesideLoad('exit 3');
    assert.equal(run.code, 3, run.output);
    assert.equal(run.loops.length, cpus().length, run.output);
    assert.ok(run.loops.every((l) => l.nice === 19), run.output);
    assert.match(run.output, /load average [\d.]+ at start/);
    assert.match(run.output, /load average [\d.]+ at end, \d+ s, exit code 3/);
    // The runner waits for each loop's exit before its own: none may be alive now.
    assert.deepEqual(run.loops.filter((l) => alive(l.pid)), []);
  });

  it('a SIGTERM to the runner stops the command and the loops', async () => {
    const run = await runBesideLoad('exec sleep 600', (pid) => process.kill(pid, 'SIGTERM'));
    assert.equal(run.code, 128 + 15, run.output);
    assert.equal(run.loops.length, cpus().length, run.output);
    assert.deepEqual(run.loops.filter((l) => alive(l.pid)), []);
  });
});
