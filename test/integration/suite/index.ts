/**
 * Runs inside a real VS Code extension host (code-server here, or @vscode/test-electron where
 * VS Code can be downloaded): the standard `run()` entry of an extension test suite.
 */
import * as path from 'node:path';
import * as mochaModule from 'mocha';
import { registerChatTests } from './chat.test';
import { registerCommitMessageTests } from './commitMessage.test';
import { registerCodebaseCompletionTests } from './codebaseCompletion.test';
import { registerCodeIndexTests } from './codeIndex.test';
import { registerContentPolicyCallerTests } from './contentPolicyCallers.test';
import { registerEditTests } from './edit.test';
import { registerExclusionTests } from './exclusion.test';
import { registerHugeFileTests } from './hugeFiles.test';
import { registerLiveSettingsTests } from './liveSettings.test';
import { registerDeactivationTests, registerExtensionTests } from './extension.test';
import { registerModelTests } from './models.test';
import { registerPrivacyTests } from './privacy.test';
import { registerRequestLogTests } from './requestLog.test';
import { registerServerTests } from './server.test';

// mocha 12 is ESM-only: required from CommonJS (Node 22+), its class is the default export.
const Mocha = ((mochaModule as unknown as { default?: typeof mochaModule.default }).default ?? mochaModule) as unknown as typeof import('mocha');

export function run(): Promise<void> {
  // SOVEREIGN_TEST_GREP runs only the matching tests (while working on one file).
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep: process.env.SOVEREIGN_TEST_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, path.join(__dirname, 'extension.test.js'), mocha);
  registerExtensionTests();
  registerChatTests();
  registerCodeIndexTests();
  registerExclusionTests();
  registerCodebaseCompletionTests();
  registerEditTests();
  registerHugeFileTests();
  registerContentPolicyCallerTests();
  registerLiveSettingsTests();
  registerModelTests();
  registerPrivacyTests();
  registerRequestLogTests();
  registerServerTests();
  registerCommitMessageTests();
  registerDeactivationTests();
  return new Promise((resolve, reject) => {
    let passed = 0; // counted, not total - failures: with SOVEREIGN_TEST_GREP most tests do not run
    const runner = mocha.run((failures) => {
      console.log(`integration: ${passed} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', () => passed++);
  });
}
