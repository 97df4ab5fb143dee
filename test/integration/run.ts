/**
 * `npm run test:integration`: the suite in test/integration/suite, inside a real VS Code
 * extension host (code-server), with the real worker and real test models.
 */
import { resolve } from 'node:path';
import { ensureLlamaServer } from '../../bench/llamaServer';
import { integrationSettings, prepareIntegrationWorkspace } from '../../scripts/vscode/integrationSettings';
import { runExtensionTests } from './runInCodeServer';

async function main(): Promise<void> {
  const repo = resolve(__dirname, '..', '..');
  const folder = await prepareIntegrationWorkspace();
  // The server suite starts the project-built llama-server: build it (once) before the timed run.
  await ensureLlamaServer();
  const code = await runExtensionTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: resolve(repo, 'out/test/integration/suite/index.js'),
    folder,
    userSettings: integrationSettings(),
    // The whole suite in one code-server: ~4 min on a quiet machine, more than twice that on a loaded one.
    timeoutMs: 12 * 60_000,
  });
  process.exit(code);
}

main().catch((e) => {
  console.error(e);
  console.log('integration: 0 passed, 1 failed');
  process.exit(1);
});
