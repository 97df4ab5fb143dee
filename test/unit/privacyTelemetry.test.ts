/**
 * No telemetry anywhere (issue 6): no telemetry or analytics API or SDK in `src/` or the chat
 * webview, none among the dependencies, and none in what ships (the production dependency tree
 * from package-lock.json, node-llama-cpp's included).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { listFiles, scanFiles, tokensMatching, type ScanRules } from '../privacy/sourceScan';

const root = resolve(__dirname, '..', '..');

/** Telemetry, analytics and crash-reporting SDKs by package name. */
const telemetryPackage =
  /(^|\/|-)(telemetry|analytics)($|-)|^@vscode\/extension-telemetry$|^applicationinsights|^@microsoft\/applicationinsights|^@sentry\/|^@?posthog|^mixpanel|^@segment\/|^analytics-node$|^@amplitude\/|^amplitude-js$|^@datadog\/|^dd-trace$|^@bugsnag\/|^rollbar$|^newrelic$|^@opentelemetry\/|^universal-analytics$|^ga-4-react$|^react-ga|^@google-analytics\//i;

const telemetryRules: ScanRules = {
  identifiers: new Set([
    // VS Code's telemetry API.
    'createTelemetryLogger',
    'TelemetryLogger',
    'TelemetrySender',
    'isTelemetryEnabled',
    'onDidChangeTelemetryEnabled',
    'TelemetryReporter',
    // Common SDK entry points.
    'TelemetryClient',
    'appInsights',
    'gtag',
    'posthog',
    'mixpanel',
    'Sentry',
  ]),
  modules: (m) => telemetryPackage.test(m),
};

describe('privacy: no telemetry', function () {
  // Parsing every source file with TypeScript takes seconds on a loaded core: no speed claim here.
  this.timeout(60_000);
  const files = [...listFiles(root, 'src', ['.ts', '.tsx']), ...listFiles(root, 'media', ['.ts', '.js', '.html']).filter((f) => !f.startsWith('media/dist/'))];

  it('no telemetry or analytics API or SDK import in src/ (extension, worker, webview)', () => {
    assert.ok(files.length > 20, `scanned ${files.length} files`);
    assert.deepEqual(scanFiles(root, files, telemetryRules).map((h) => `${h.file}:${h.line} ${h.api}`), []);
  });

  it('no identifier or string in src/ so much as names telemetry or analytics (comments may)', () => {
    const found = files.flatMap((f) => tokensMatching(readFileSync(resolve(root, f), 'utf8'), /telemetry|analytics/i).map((t) => `${f}:${t.line} ${t.text}`));
    assert.deepEqual(found, []);
  });

  it('the word check sees identifiers, properties and strings, not comments (self-test)', () => {
    const text = "// no telemetry here\n/* nor analytics */\nconst sendTelemetry = 1;\nx.analyticsId = 'telemetry-endpoint';\n";
    assert.deepEqual(tokensMatching(text, /telemetry|analytics/i), [
      { line: 3, text: 'sendTelemetry' },
      { line: 4, text: 'analyticsId' },
      { line: 4, text: "'telemetry-endpoint'" },
    ]);
  });

  it('no telemetry package in package.json, nor anywhere in the production dependency tree', () => {
    const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const declared = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {}));
    assert.deepEqual(declared.filter((n) => telemetryPackage.test(n)), []);
    const lock = JSON.parse(readFileSync(resolve(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const shipped = Object.entries(lock.packages)
      .filter(([path, p]) => path && !p.dev)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(shipped.includes('node-llama-cpp'), 'read the production tree from the lock file');
    assert.deepEqual(shipped.filter((n) => telemetryPackage.test(n)), []);
  });

  it('the package-name check catches the usual SDKs (self-test)', () => {
    for (const n of ['@vscode/extension-telemetry', 'applicationinsights', '@sentry/node', 'posthog-node', 'mixpanel', '@segment/analytics-node', '@opentelemetry/api', 'vscode-extension-telemetry']) {
      assert.ok(telemetryPackage.test(n), n);
    }
    for (const n of ['node-llama-cpp', 'markdown-it', 'dompurify', 'vscode-jsonrpc', 'highlight.js', 'eventsource-parser']) assert.ok(!telemetryPackage.test(n), n);
  });
});
