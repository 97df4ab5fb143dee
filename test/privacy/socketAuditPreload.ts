/**
 * `node --require out/test/socketAudit.js` (bundled from this file by esbuild.js): installs the
 * socket audit in a process that cannot be instrumented from inside, such as the model worker
 * (which inherits NODE_OPTIONS from whoever forks it). Every attempt is appended as one JSON line
 * to the file named by SOVEREIGN_SOCKET_AUDIT_LOG; the first line a process writes says that the
 * audit is installed in it, so a test can prove the audit really ran in the process it judges.
 */
import { appendFileSync } from 'node:fs';
import { installSocketAudit } from './socketAudit';
import { auditLogVariable, type AuditLine } from './auditLog';

const logPath = process.env[auditLogVariable];
if (logPath) {
  const write = (line: AuditLine) => appendFileSync(logPath, `${JSON.stringify(line)}\n`);
  write({ installed: true, pid: process.pid, ppid: process.ppid, script: process.argv[1] ?? '', at: Date.now() });
  installSocketAudit(write);
}
