// Bundles the extension host entry, the model worker process, the chat webview script and the
// in-VS-Code test suite. Type checking is separate (`npm run typecheck`).
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints errors in the `$esbuild-watch` problem-matcher format. */
const problemMatcher = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const node = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: watch ? 'silent' : 'warning',
  plugins: watch ? [problemMatcher] : [],
};

const targets = [
  // `vscode` is provided by the extension host.
  {
    ...node,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    // Marks when the host starts evaluating the bundle, so activation time includes module load.
    banner: { js: 'globalThis.__sovereignLoadStart = { at: performance.now(), rss: process.memoryUsage.rss() };' },
    footer: { js: 'globalThis.__sovereignLoadEnd = performance.now();' },
  },
  // node-llama-cpp is ESM with native binaries: loaded at run time with `await import()`.
  { ...node, entryPoints: ['src/runtime/worker/main.ts'], outfile: 'dist/worker.js', external: ['node-llama-cpp'] },
  // The codebase index: a worker thread of the extension host (pure JS, bundled with MiniSearch).
  { ...node, entryPoints: ['src/index/worker/indexWorker.ts'], outfile: 'dist/indexWorker.js' },
  {
    ...node,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: ['src/webview/chat/main.ts'],
    outfile: 'media/dist/chat.js',
  },
];

// The suite that runs inside a real VS Code extension host (code-server or test-electron).
if (!production) {
  targets.push({
    ...node,
    entryPoints: ['test/integration/suite/index.ts'],
    outfile: 'out/test/integration/suite/index.js',
    external: ['vscode', 'mocha'],
  });
  targets.push({ ...node, entryPoints: ['bench/hostProbe.ts'], outfile: 'out/bench/hostProbe.js', external: ['vscode'] });
  // The socket audit, preloaded with `node --require` into processes the privacy tests watch.
  targets.push({ ...node, entryPoints: ['test/privacy/socketAuditPreload.ts'], outfile: 'out/test/socketAudit.js' });
}

async function main() {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
