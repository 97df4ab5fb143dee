/**
 * The integration suite in desktop VS Code via @vscode/test-electron, for machines with network
 * access (it downloads VS Code). CI here uses runInCodeServer.ts with the same suite.
 */
import { resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { integrationSettings, prepareIntegrationWorkspace } from '../../scripts/vscode/integrationSettings';

async function main(): Promise<void> {
  const repo = resolve(__dirname, '..', '..');
  const workspace = await prepareIntegrationWorkspace();
  await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: resolve(repo, 'out/test/integration/suite/index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { SOVEREIGN_MODEL: String(integrationSettings()['sovereign.completion.modelPath']) },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
