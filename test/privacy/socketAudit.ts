/**
 * Test-only socket audit: wraps every Node API that can open a network connection or resolve a
 * name (net, tls, dns, http, https, http2, dgram, fetch, WebSocket) so that each attempt is
 * reported to `record` and then goes ahead unchanged. It never blocks anything: the privacy tests
 * assert on what was recorded, and the network namespace (test/harness/offline.sh) is what
 * actually takes the network away.
 *
 * `net.Socket.prototype.connect` is the catch-all: http agents capture `net.createConnection` at
 * load time and undici's fetch opens its sockets later and asynchronously, but every TCP, TLS and
 * unix-socket connect ends there. The higher-level wrappers name the API a caller used; while one
 * of them runs, the connects it makes synchronously are not recorded a second time.
 *
 * Builtins are taken with `require`, not `import * as`: esbuild's ESM interop would hand us a
 * copy of the module whose properties cannot be reassigned.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

export interface ConnectionAttempt {
  /** The API the caller used, e.g. `net.Socket.connect`, `dns.lookup`, `fetch`. */
  api: string;
  /** Host and port, a unix-socket path, a URL or a name to resolve. */
  target: string;
  pid: number;
  /** The process's main script, to tell the worker from other processes that inherited the audit. */
  script: string;
  at: number;
  /** The caller's frames (a few, audit frames removed). */
  stack: string[];
}

export interface SocketAudit {
  uninstall(): void;
}

type AnyFn = (...args: unknown[]) => unknown;

const dnsMethods = [
  'lookup',
  'lookupService',
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTlsa',
  'resolveTxt',
  'reverse',
];

export function installSocketAudit(record: (attempt: ConnectionAttempt) => void): SocketAudit {
  const restores: (() => void)[] = [];
  let depth = 0;

  const report = (api: string, target: string): void => {
    if (depth > 0) return;
    // Past the message line, this function and the wrapper that called it: the caller's frames.
    const stack = (new Error().stack ?? '')
      .split('\n')
      .slice(3, 11)
      .map((l) => l.trim());
    try {
      record({ api, target, pid: process.pid, script: process.argv[1] ?? '', at: Date.now(), stack });
    } catch {
      // A broken sink must not change what the audited code does.
    }
  };

  const wrap = (owner: object | undefined, key: string, api: string, describe: (args: unknown[]) => string): void => {
    if (!owner) return;
    const target = owner as Record<string, unknown>;
    const original = target[key];
    if (typeof original !== 'function') return;
    const originalFn = original as AnyFn;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      report(api, safeDescribe(describe, args));
      depth++;
      try {
        return originalFn.apply(this, args);
      } finally {
        depth--;
      }
    };
    // Name, length and symbols: dns.lookup's promisify argument names keep util.promisify working.
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(originalFn));
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    try {
      target[key] = wrapped;
    } catch {
      return; // A read-only export: the prototype-level catch-all still sees its connects.
    }
    restores.push(() => {
      if (descriptor) Object.defineProperty(target, key, descriptor);
      else delete target[key];
    });
  };

  const net = require('node:net') as typeof import('node:net');
  const tls = require('node:tls') as typeof import('node:tls');
  const dns = require('node:dns') as typeof import('node:dns');
  const http = require('node:http') as typeof import('node:http');
  const https = require('node:https') as typeof import('node:https');
  const http2 = require('node:http2') as typeof import('node:http2');
  const dgram = require('node:dgram') as typeof import('node:dgram');

  wrap(net.Socket.prototype, 'connect', 'net.Socket.connect', describeConnect);
  wrap(net, 'connect', 'net.connect', describeConnect);
  wrap(net, 'createConnection', 'net.createConnection', describeConnect);
  wrap(tls, 'connect', 'tls.connect', describeConnect);
  for (const m of dnsMethods) {
    wrap(dns, m, `dns.${m}`, describeFirst);
    wrap(dns.promises, m, `dns.promises.${m}`, describeFirst);
    wrap(dns.Resolver.prototype, m, `dns.Resolver.${m}`, describeFirst);
    wrap(dns.promises.Resolver.prototype, m, `dns.promises.Resolver.${m}`, describeFirst);
  }
  wrap(http, 'request', 'http.request', describeRequest);
  wrap(http, 'get', 'http.get', describeRequest);
  wrap(https, 'request', 'https.request', describeRequest);
  wrap(https, 'get', 'https.get', describeRequest);
  wrap(http2, 'connect', 'http2.connect', describeFirst);
  wrap(dgram.Socket.prototype, 'connect', 'dgram.Socket.connect', describeConnect);
  wrap(dgram.Socket.prototype, 'send', 'dgram.Socket.send', describeDatagram);
  wrap(globalThis, 'fetch', 'fetch', describeRequest);

  const g = globalThis as Record<string, unknown>;
  for (const name of ['WebSocket', 'EventSource']) {
    const Original = g[name];
    if (typeof Original !== 'function') continue;
    g[name] = new Proxy(Original, {
      construct: (t, args: unknown[], newTarget) => {
        report(name, safeDescribe(describeFirst, args));
        return Reflect.construct(t, args, newTarget) as object;
      },
    });
    restores.push(() => (g[name] = Original));
  }

  return {
    uninstall: () => {
      for (const restore of restores.reverse()) restore();
      restores.length = 0;
    },
  };
}

function safeDescribe(describe: (args: unknown[]) => string, args: unknown[]): string {
  try {
    return describe(args);
  } catch {
    return '?';
  }
}

/** `(port, host?)`, `(path)`, `(options)` or `([options, cb])` as net.Socket#connect takes them. */
function describeConnect(args: unknown[]): string {
  let first = args[0];
  // net.connect → socket.connect(normalizedArgs): an array whose first element is the options.
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${first}`;
  }
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object') {
    const o = first as { path?: unknown; host?: unknown; hostname?: unknown; port?: unknown; socket?: unknown; address?: unknown };
    if (o.path) return `unix:${String(o.path)}`;
    const host = o.host ?? o.hostname ?? o.address ?? 'localhost';
    return o.port === undefined ? String(host) : `${String(host)}:${String(o.port)}`;
  }
  return '?';
}

function describeFirst(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first instanceof URL) return first.href;
  if (first && typeof first === 'object') return describeConnect(args);
  return String(first);
}

/** A URL string, a URL, a Request, or http.request's options object. */
function describeRequest(args: unknown[]): string {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first instanceof URL) return first.href;
  if (first && typeof first === 'object') {
    const o = first as { url?: unknown; protocol?: unknown; host?: unknown; hostname?: unknown; port?: unknown; path?: unknown; socketPath?: unknown };
    if (typeof o.url === 'string') return o.url;
    if (o.socketPath) return `unix:${String(o.socketPath)}${String(o.path ?? '')}`;
    const host = o.hostname ?? o.host ?? 'localhost';
    return `${String(o.protocol ?? 'http:')}//${String(host)}${o.port ? `:${String(o.port)}` : ''}${String(o.path ?? '/')}`;
  }
  return '?';
}

/** dgram send(msg, [offset, length,] port, address) or send(msg) on a connected socket. */
function describeDatagram(args: unknown[]): string {
  const numbers = args.filter((a) => typeof a === 'number') as number[];
  const address = args.find((a, i) => i > 0 && typeof a === 'string');
  const port = numbers.length ? numbers[numbers.length - 1] : undefined;
  return port === undefined ? '(connected)' : `${typeof address === 'string' ? address : 'localhost'}:${port}`;
}
