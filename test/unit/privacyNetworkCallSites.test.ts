/**
 * The network call-site inventory (issue 6): every network API in `src/` sits in a file that
 * test/privacy/networkCallSites.ts lists with the user action that triggers it, and every listed
 * file still has one, and the README's privacy section tells users of exactly these cases (so the
 * list is the complete, current inventory the README promises).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { networkCallSites, networkRules, type NetworkCallSite } from '../privacy/networkCallSites';
import { listFiles, scanFiles, scanSource, type ScanHit } from '../privacy/sourceScan';

const root = resolve(__dirname, '..', '..');

function siteFor(file: string): NetworkCallSite | undefined {
  return networkCallSites.find((s) => (s.path.endsWith('/') ? file.startsWith(s.path) : file === s.path));
}

describe('privacy: network call sites in src/', () => {
  const files = listFiles(root, 'src', ['.ts', '.tsx']);
  const hits = scanFiles(root, files, networkRules);

  it('every network API is in a listed file, with an API that entry allows', () => {
    const unlisted = hits.filter((h) => {
      const site = siteFor(h.file);
      return !site || !(site.apis.includes('*') || site.apis.includes(h.api));
    });
    assert.deepEqual(unlisted.map(format), [], 'network use outside the inventory in test/privacy/networkCallSites.ts: list it with its user action, or remove it');
  });

  it('every listed file still uses the network (the inventory has no stale entry)', () => {
    const stale = networkCallSites.filter((s) => !s.path.endsWith('/') && !hits.some((h) => h.file === s.path));
    assert.deepEqual(stale.map((s) => s.path), []);
  });

  it('every entry names the user action that triggers it', () => {
    for (const s of networkCallSites) assert.ok(s.userAction.length > 40, `${s.path}: say which user action makes it use the network`);
  });

  it('the embedded runtime (worker, completion, config, common) has no network API at all', () => {
    const embedded = hits.filter((h) => /^src\/(runtime|completion|config|common)\//.test(h.file));
    assert.deepEqual(embedded.map(format), []);
  });

  // The inventory is the README's promise: what users read there and what the code does must be one list.
  it("the README's privacy section tells users of exactly the cases the inventory lists", () => {
    const told = readmeNetworkCases(readFileSync(resolve(root, 'README.md'), 'utf8'));
    const listed = networkCallSites.map((s) => {
      const found = hits.filter((h) => (s.path.endsWith('/') ? h.file.startsWith(s.path) : h.file === s.path));
      return `${s.readmeCase} — ${s.path}: ${found.map((h) => `${h.api} (${h.file}:${h.line})`).join(', ')}`;
    });
    assert.ok(told.length > 0, 'README: no "It uses the network in exactly these cases" list found');
    assert.deepEqual([...new Set(networkCallSites.map((s) => s.readmeCase))].sort(), [...told].sort(), `the inventory:\n${listed.join('\n')}`);
  });

  // The scanner itself: each kind of network use it must see, and what it must not count.
  it('the scanner finds fetch, node:net imports, require, dynamic import, spawned curl and unguarded getLlama; not comments', () => {
    const text = [
      "import { connect } from 'node:net';",
      "import * as h from 'https';",
      "const d = require('dns');",
      "const u = await import('undici');",
      "await fetch('http://x');",
      "spawn('curl', ['-s', url]);",
      "getLlama({ gpu: 'auto' });",
      "getLlama({ build: 'never' });",
      "readGgufFileInfo(p, { sourceType: 'filesystem' });",
      '// fetch(url) in a comment, and "fetch" in a string, are not calls',
      "const s = 'fetch';",
    ].join('\n');
    assert.deepEqual(
      scanSource('x.ts', text, networkRules).map((h) => `${h.line} ${h.api}`),
      ['1 import net', '2 import https', '3 import dns', '4 import undici', '5 fetch', '6 spawn curl', "7 getLlama without build:\\s*['\"]never['\"]"],
    );
  });
});

function format(h: ScanHit): string {
  return `${h.file}:${h.line} ${h.api}`;
}

/** The bold titles of the bullets under "It uses the network in exactly these cases", up to "Never otherwise". */
function readmeNetworkCases(readme: string): string[] {
  const start = readme.indexOf('It uses the network in exactly these cases');
  const end = readme.indexOf('Never otherwise', start);
  if (start < 0 || end < 0) return [];
  return [...readme.slice(start, end).matchAll(/^- \*\*(.+?)\*\*/gm)].map((m) => m[1].replace(/:$/, ''));
}
