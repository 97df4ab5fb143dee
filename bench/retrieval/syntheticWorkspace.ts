/**
 * A synthetic workspace for the scale part: `files` TypeScript files of plausible shape (imports,
 * 3–8 functions of 5–30 lines built from a pool of identifiers), seeded, in a temp folder.
 * Its text means nothing; its size, line lengths and identifier statistics are what an index
 * pays for.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../replay';

const words = ['user', 'account', 'order', 'payment', 'invoice', 'cart', 'item', 'price', 'total', 'tax', 'discount', 'shipping', 'address', 'config', 'option', 'setting', 'cache', 'store', 'state', 'event', 'handler', 'listener', 'queue', 'job', 'task', 'worker', 'retry', 'timeout', 'request', 'response', 'header', 'body', 'token', 'session', 'auth', 'login', 'logout', 'role', 'permission', 'file', 'path', 'buffer', 'stream', 'chunk', 'index', 'search', 'query', 'result', 'page', 'cursor', 'limit', 'offset', 'filter', 'sort', 'key', 'value', 'map', 'list', 'set', 'tree', 'node', 'edge', 'graph', 'parse', 'format', 'render', 'build', 'load', 'save', 'fetch', 'send', 'emit', 'update', 'create', 'delete', 'find', 'validate', 'normalize', 'encode', 'decode', 'merge', 'split', 'count', 'measure', 'report', 'log', 'metric', 'trace', 'span', 'client', 'server', 'socket', 'message', 'channel', 'topic', 'schema', 'model', 'record', 'field', 'column', 'row', 'table'];

/** Distinct two- and three-word identifiers in the workspace. */
const poolSize = 20_000;

export interface SyntheticWorkspace {
  root: string;
  paths: string[];
  bytes: number;
  /** Names of functions the workspace declares, to query. */
  names: string[];
}

export function writeSyntheticWorkspace(root: string, files: number, seed: number): SyntheticWorkspace {
  const rnd = rng(seed);
  const pick = () => words[Math.floor(rnd() * words.length)];
  const cap = (w: string) => w[0].toUpperCase() + w.slice(1);
  const compose = (n: number) => pick() + Array.from({ length: n - 1 }, () => cap(pick())).join('');
  // A real codebase reuses its names: identifiers come from a pool (a few thousand per size),
  // drawn with a skew (some names everywhere, most in few files), not a fresh combination each time.
  const pools = new Map<number, string[]>([1, 2, 3].map((n) => [n, Array.from({ length: n === 1 ? words.length : poolSize }, (_, i) => (n === 1 ? words[i] : compose(n)))]));
  const ident = (n: number) => {
    const pool = pools.get(n)!;
    return pool[Math.floor(pool.length * rnd() ** 2)];
  };
  const paths: string[] = [];
  const names: string[] = [];
  let bytes = 0;
  for (let f = 0; f < files; f++) {
    const dir = join(root, 'src', `module${Math.floor(f / 100)}`);
    if (f % 100 === 0) mkdirSync(dir, { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 2 + Math.floor(rnd() * 4); i++) lines.push(`import { ${ident(2)} } from '../module${Math.floor(rnd() * 100)}/${pick()}';`);
    lines.push('');
    const functions = 3 + Math.floor(rnd() * 6);
    for (let k = 0; k < functions; k++) {
      const name = ident(3);
      if (rnd() < 0.02) names.push(name);
      lines.push('/**', ` * ${cap(pick())} the ${pick()} of a ${pick()} and ${pick()} it.`, ' */', `export function ${name}(${ident(1)}: ${cap(ident(2))}, ${ident(1)}: number): ${cap(ident(1))} {`);
      const body = 5 + Math.floor(rnd() * 26);
      for (let b = 0; b < body; b++) {
        const r = rnd();
        if (r < 0.4) lines.push(`  const ${ident(2)} = ${ident(2)}(${ident(1)}, ${Math.floor(rnd() * 1000)});`);
        else if (r < 0.6) lines.push(`  if (${ident(1)}.${ident(2)} > ${ident(1)}) {`, `    ${ident(1)}.${ident(2)}(${ident(2)});`, '  }');
        else if (r < 0.8) lines.push(`  // ${cap(pick())} ${pick()} before ${pick()}: the ${pick()} may ${pick()} the ${pick()}.`);
        else lines.push(`  ${ident(1)} = await ${ident(2)}.${ident(1)}(${ident(2)}, '${pick()}-${pick()}');`);
      }
      lines.push(`  return ${ident(2)};`, '}', '');
    }
    const text = lines.join('\n');
    const path = join(dir, `${ident(2)}${f}.ts`);
    writeFileSync(path, text);
    paths.push(path);
    bytes += Buffer.byteLength(text);
  }
  return { root, paths, bytes, names };
}
