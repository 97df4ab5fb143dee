/**
 * Runs a command beside a competing CPU load (busyLoad.ts) and always stops the load after it:
 * on the command's exit, on its failure to start, and on Ctrl-C / SIGTERM (forwarded to it).
 * Evidence that the tests hold on a busy machine (issue 12); not part of `npm test`.
 *
 *   tsx test/harness/besideLoad.ts [--load indexer|compiler] <command> [args…]
 *
 * Prints the load's kind, the load average when the command starts and ends, its wall time
 * and its exit code, and exits with that code.
 */
import { spawn } from 'node:child_process';
import { constants, loadavg } from 'node:os';
import { loadDescriptions, loadKinds, startLoad, type LoadKind } from './busyLoad';

function parse(argv: string[]): { kind: LoadKind; command: string[] } {
  let kind: LoadKind = 'indexer';
  if (argv[0] === '--load') {
    const asked = argv[1] as LoadKind;
    if (!loadKinds.includes(asked)) usage(`unknown load "${argv[1]}"`);
    kind = asked;
    argv = argv.slice(2);
  }
  if (argv.length === 0) usage('no command');
  return { kind, command: argv };
}

function usage(why: string): never {
  console.error(`besideLoad: ${why}\nusage: tsx test/harness/besideLoad.ts [--load ${loadKinds.join('|')}] <command> [args…]`);
  process.exit(2);
}

const load1 = (): string => loadavg()[0].toFixed(2);

async function main(): Promise<void> {
  const { kind, command } = parse(process.argv.slice(2));
  const load = startLoad(kind);
  const started = Date.now();
  console.log(`besideLoad: load ${kind} (${loadDescriptions[kind]}), load average ${load1()} at start`);
  console.log(`besideLoad: running ${command.join(' ')}`);

  const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group; a SIGTERM sent to us alone
  // is passed on. Either way we wait for the child's exit and stop the load after it.
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));

  const code = await new Promise<number>((resolve) => {
    child.once('error', (err) => {
      console.error(`besideLoad: cannot start ${command[0]}: ${err.message}`);
      resolve(127);
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + constants.signals[signal!]));
  });
  const endLoad = load1();
  await load.stop();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`besideLoad: load ${kind}, load average ${endLoad} at end, ${seconds} s, exit code ${code}`);
  process.exit(code);
}

void main();
