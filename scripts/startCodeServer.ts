/**
 * Serves VS Code (code-server) on 127.0.0.1 with this extension loaded from the working tree,
 * and prints the URL to open. Ctrl+C stops it.
 */
import { resolve } from 'node:path';
import { startCodeServer } from './vscode/codeServer';
import { workbenchUrl } from './vscode/browser';

async function main(): Promise<void> {
  const repo = resolve(__dirname, '..');
  const folder = resolve(process.argv[2] ?? repo);
  const model = process.env.SOVEREIGN_MODEL;
  const server = await startCodeServer({
    folder,
    userSettings: model ? { 'sovereign.completion.modelPath': model, 'sovereign.chat.modelPath': model } : {},
  });
  const url = workbenchUrl(server, { folder, extensionDevelopmentPath: repo });
  console.log(`\nSovereign is running in VS Code at:\n\n  ${url}\n`);
  console.log(model ? `Model: ${model}` : 'No model set: choose one in VS Code, or start with SOVEREIGN_MODEL=/path/to/model.gguf');
  console.log('Press Ctrl+C to stop.');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.exited;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
