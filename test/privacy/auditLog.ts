/**
 * The socket audit's log file and how a test points a child process at it: NODE_OPTIONS
 * `--require` of the bundled preload (out/test/socketAudit.js) plus the log path variable.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionAttempt } from './socketAudit';

export const auditLogVariable = 'SOVEREIGN_SOCKET_AUDIT_LOG';

/** Written once by each process the preload is installed in, before anything it records. */
export interface AuditInstalled {
  installed: true;
  pid: number;
  ppid: number;
  script: string;
  at: number;
}

export type AuditLine = AuditInstalled | ConnectionAttempt;

export interface AuditLog {
  installed: AuditInstalled[];
  attempts: ConnectionAttempt[];
}

export function readAuditLog(path: string): AuditLog {
  const log: AuditLog = { installed: [], attempts: [] };
  if (!existsSync(path)) return log;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const entry = JSON.parse(line) as AuditLine;
    if ('installed' in entry) log.installed.push(entry);
    else log.attempts.push(entry);
  }
  return log;
}

/** NODE_OPTIONS that add the audit preload to whatever options were already there. */
export function nodeOptionsWithAudit(preloadPath: string, existing = process.env.NODE_OPTIONS): string {
  const require = `--require ${JSON.stringify(preloadPath)}`;
  return existing ? `${existing} ${require}` : require;
}

/** For an assertion message: one line per attempt with its caller. */
export function formatAttempts(attempts: ConnectionAttempt[]): string {
  return attempts.map((a) => `  pid ${a.pid} ${a.api} ${a.target}\n      ${a.stack.slice(0, 4).join('\n      ')}`).join('\n');
}

/**
 * Makes processes this one starts from now on load the audit (NODE_OPTIONS is read when a Node
 * process starts, so this process itself is unaffected); returns the undo.
 */
export function auditChildProcesses(preloadPath: string, logPath: string): () => void {
  const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, [auditLogVariable]: process.env[auditLogVariable] };
  process.env.NODE_OPTIONS = nodeOptionsWithAudit(preloadPath);
  process.env[auditLogVariable] = logPath;
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
