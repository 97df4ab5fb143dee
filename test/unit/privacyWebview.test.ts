/**
 * The chat webview cannot reach the network on its own (issue 6): its scripts use no network API,
 * its bundle carries none from the libraries either, and the page's other files name no remote
 * resource. The Content-Security-Policy that enforces this in VS Code is checked on the real
 * rendered page by the integration suite (test/integration/suite/privacy.test.ts).
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { networkRules } from '../privacy/networkCallSites';
import { listFiles, scanFiles } from '../privacy/sourceScan';

const root = resolve(__dirname, '..', '..');
/** Uses, not mentions: highlight.js lists `fetch` as an SQL keyword. */
const browserNetworkApi = /\bfetch\s*\(|\bnew\s+(XMLHttpRequest|WebSocket|EventSource|RTCPeerConnection|Worker|SharedWorker)\b|\.sendBeacon\s*\(|\bimportScripts\s*\(|\.serviceWorker\b/;

describe('privacy: the chat webview', () => {
  it('its sources (src/webview/) use no network API', () => {
    const files = listFiles(root, 'src/webview', ['.ts']);
    assert.ok(files.length >= 3, `scanned ${files.join(', ')}`);
    assert.deepEqual(scanFiles(root, files, networkRules).map((h) => `${h.file}:${h.line} ${h.api}`), []);
  });

  it('its bundle (media/dist/chat.js: markdown-it, DOMPurify, highlight.js) contains no browser network API', function () {
    const bundle = resolve(root, 'media', 'dist', 'chat.js');
    if (!existsSync(bundle)) {
      console.log('      media/dist/chat.js is not built ("npm run build"): not checked');
      this.skip();
    }
    const found = readFileSync(bundle, 'utf8')
      .split('\n')
      .flatMap((line, i) => (browserNetworkApi.test(line) ? [`${i + 1}: ${line.trim().slice(0, 120)}`] : []));
    assert.deepEqual(found, []);
  });

  it('media/ (styles, icons, walkthrough pages) loads nothing from a remote origin', () => {
    const files = listFiles(root, 'media', ['.css', '.svg', '.md', '.html']).filter((f) => !f.startsWith('media/dist/'));
    assert.ok(files.some((f) => f.endsWith('chat.css')));
    const remote = files.flatMap((f) => {
      // An SVG's xmlns names a namespace; it is never fetched.
      const text = readFileSync(resolve(root, f), 'utf8').replace(/xmlns(:\w+)?="[^"]*"/g, '');
      return [...text.matchAll(/(https?:|wss?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}|@import|url\(\s*['"]?(https?:|\/\/)/gi)].map((m) => `${f}: ${m[0]}`);
    });
    assert.deepEqual(remote, []);
  });
});
