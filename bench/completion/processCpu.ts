import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

/**
 * The CPU time a process has used so far, in seconds (user + system, all its threads), or
 * undefined where /proc cannot say (another OS, a process that has ended).
 *
 * The bench reads it around each side's typing: a side must use no CPU while the other types, or
 * the other's times include its work (see sides.ts).
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
