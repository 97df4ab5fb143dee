/**
 * Privacy proofs for the embedded runtime (issue 6): this suite runs inside a network namespace
 * (test/harness/offline.sh), and the real worker, audited with test/privacy/socketAudit.ts,
 * makes no connection attempt of any kind while it loads models, completes and chats.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RuntimeClient } from '../../src/runtime/client';
import { testModelPath } from '../../scripts/models/testModels';
import { auditChildProcesses, auditLogVariable, formatAttempts, nodeOptionsWithAudit, readAuditLog } from '../privacy/auditLog';
import { closedPort, missingFromAudit, selfTestApis, selfTestScript } from '../privacy/auditSelfTest';
import { isolationProblems, netnsState, notIsolatedBanner, probeIsolation } from '../privacy/networkIsolation';
import { createRuntime, fimParams, repoRoot, storiesModel } from './runtimeFixture';

const preload = join(repoRoot, 'out', 'test', 'socketAudit.js');

describe('engine: privacy (no network needed, no connection attempted)', function () {
  let dir: string;
  before(() => {
    if (!existsSync(preload)) throw new Error(`${preload} is missing: run "npm run build" first`);
    dir = mkdtempSync(join(tmpdir(), 'sovereign-audit-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs in a network namespace with loopback only, when offline.sh says so', async function () {
    if (netnsState() !== 'isolated') {
      console.log(notIsolatedBanner('engine'));
      this.skip();
    }
    const probe = await probeIsolation();
    assert.deepEqual(isolationProblems(probe), [], `not isolated: ${JSON.stringify(probe)}`);
  });

  it('the socket audit records real fetch, net, tls, http and dns attempts (self-test)', async function () {
    this.timeout(30_000);
    const log = join(dir, 'self-test.jsonl');
    const port = await closedPort();
    const env = { ...process.env, NODE_OPTIONS: nodeOptionsWithAudit(preload), [auditLogVariable]: log };
    await promisify(execFile)(process.execPath, ['-e', selfTestScript(port)], { env, timeout: 20_000 });
    const { installed, attempts } = readAuditLog(log);
    assert.equal(installed.length, 1, 'the preload announced itself once');
    assert.deepEqual(missingFromAudit(selfTestApis, port, attempts), [], `not recorded; recorded:\n${formatAttempts(attempts)}`);
    assert.ok(attempts.every((a) => a.pid === installed[0]!.pid && a.stack.some((f) => f.includes('[eval]'))), `each with the caller's frames:\n${formatAttempts(attempts)}`);
  });

  describe('the real worker, audited, loads two models, completes and chats', () => {
    let runtime: RuntimeClient;
    let log: string;
    before(() => {
      log = join(dir, 'worker.jsonl');
      runtime = createRuntime({ completion: testModelPath('fim-qwen2'), chat: storiesModel });
    });
    after(() => runtime.shutdown());

    it('makes no connection attempt of any kind, and the audit really ran in it', async function () {
      this.timeout(120_000);
      // NODE_OPTIONS is read when the worker starts: set for the fork, then put back at once.
      const restore = auditChildProcesses(preload, log);
      let pid: number | undefined;
      try {
        await runtime.load('completion');
        pid = runtime.pid;
      } finally {
        restore();
      }
      const completion = await runtime.complete(fimParams('def add(a, b):\n    return ', '\n\nprint(add(1, 2))\n', 12));
      assert.ok(completion.stats.generatedTokens > 0, 'the model generated a completion');
      let streamed = '';
      const chat = await runtime.chat([{ role: 'user', content: 'Tell me a story about a cat.' }], { maxTokens: 24, onText: (t) => (streamed += t) });
      assert.ok(chat.text.length > 0 && streamed === chat.text, 'a streamed chat answer');
      assert.equal(runtime.pid, pid, 'the same audited worker served both');

      const { installed, attempts } = readAuditLog(log);
      assert.ok(
        installed.some((i) => i.pid === pid && i.script.endsWith(join('dist', 'worker.js'))),
        `the audit was not installed in worker ${pid}: ${JSON.stringify(installed)}`,
      );
      assert.deepEqual(attempts, [], `the worker attempted connections:\n${formatAttempts(attempts)}`);
    });
  });
});
