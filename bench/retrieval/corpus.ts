/**
 * The quality corpus: real code no one here wrote, from npm packages that are not dependencies of
 * Sovereign, fetched with `npm pack <name>@<exact version>` into a cache folder (the tarball's
 * integrity is recorded), and the queries derived mechanically from it (docQueries.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface PackageSpec {
  /** name@exact-version */
  spec: string;
  /** The package's own source folder: one copy of each function (no dist/ or es/ duplicates). */
  dir: string;
}

export const DEFAULT_PACKAGES: PackageSpec[] = [
  { spec: 'express@4.21.2', dir: 'lib' },
  { spec: 'axios@1.7.9', dir: 'lib' },
  { spec: 'async@3.2.6', dir: '.' },
  { spec: 'bluebird@3.7.2', dir: 'js/release' },
  { spec: 'handlebars@4.7.8', dir: 'lib' },
  { spec: 'moment@2.30.1', dir: 'src/lib' },
  { spec: 'ramda@0.30.1', dir: 'src' },
];

export interface CorpusFile {
  /** `name@version/path` inside the package. */
  path: string;
  text: string;
}

export interface FetchedPackage {
  spec: string;
  integrity: string;
  files: CorpusFile[];
}

const codeFile = /\.(?:js|mjs|cjs|ts)$/;
const notSource = /\.(?:min\.js|d\.ts)$/;

export function fetchPackage(p: PackageSpec, cacheDir: string, log: (s: string) => void): FetchedPackage {
  const [name, version] = [p.spec.slice(0, p.spec.lastIndexOf('@')), p.spec.slice(p.spec.lastIndexOf('@') + 1)];
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`${p.spec}: give an exact version`);
  const folder = join(cacheDir, p.spec.replace('/', '+'));
  const meta = join(folder, 'pack.json');
  if (!existsSync(meta)) {
    mkdirSync(folder, { recursive: true });
    log(`npm pack ${p.spec}`);
    const json = execFileSync('npm', ['pack', p.spec, '--json', '--pack-destination', folder], { encoding: 'utf8' });
    const [info] = JSON.parse(json) as { filename: string; integrity: string; name: string; version: string }[];
    if (info.name !== name || info.version !== version) throw new Error(`${p.spec}: npm packed ${info.name}@${info.version}`);
    execFileSync('tar', ['xzf', join(folder, info.filename), '-C', folder]);
    writeFileSync(meta, JSON.stringify(info));
  }
  const info = JSON.parse(readFileSync(meta, 'utf8')) as { integrity: string };
  const root = join(folder, 'package', p.dir);
  const files = walk(root)
    .filter((f) => codeFile.test(f) && !notSource.test(f))
    .map((f) => ({ path: `${p.spec}/${relative(join(folder, 'package'), f)}`, text: readFileSync(f, 'utf8') }));
  return { spec: p.spec, integrity: info.integrity, files };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    // A package's own source only: no bundles, builds or vendored copies beside it.
    if (statSync(full).isDirectory()) {
      if (!['node_modules', 'dist', 'es', 'min', 'locale', 'test', 'tests'].includes(name)) out.push(...walk(full));
    } else out.push(full);
  }
  return out;
}
