/**
 * What the socket audit's self-tests attempt: one connection or lookup of each kind, all to a
 * closed port on 127.0.0.1 (or `localhost` for name lookups), so nothing leaves the machine. A
 * broken audit (a patch that no longer takes, a preload that no longer loads) fails these.
 */

import type { ConnectionAttempt } from './socketAudit';

/** APIs the child's attempts below must show up as. */
export const selfTestApis = ['fetch', 'net.connect', 'tls.connect', 'http.get', 'dns.lookup', 'dns.promises.lookup'] as const;

/**
 * The expected APIs that no record shows (with the closed port as target, or `localhost` for a
 * lookup). Extra records are fine: VS Code's host, for one, patches fetch and http with its own
 * undici and proxy agent, whose later connects are recorded as well.
 */
export function missingFromAudit(expected: readonly string[], port: number, attempts: readonly ConnectionAttempt[]): string[] {
  return expected.filter((api) => !attempts.some((a) => a.api === api && (a.target.includes(`:${port}`) || (api.includes('lookup') && a.target === 'localhost'))));
}

/** Plain JavaScript for `node -e` in a child process that has the audit preloaded. */
export function selfTestScript(closedPort: number): string {
  return `
const net = require('node:net'), tls = require('node:tls'), http = require('node:http'), dns = require('node:dns');
const url = 'http://127.0.0.1:${closedPort}/';
const failed = (emitter) => new Promise((resolve) => { emitter.once('error', resolve); emitter.once('connect', resolve); emitter.once('response', resolve); });
(async () => {
  await fetch(url).catch(() => undefined);
  await failed(net.connect(${closedPort}, '127.0.0.1'));
  await failed(tls.connect(${closedPort}, '127.0.0.1'));
  await failed(http.get(url));
  await new Promise((resolve) => dns.lookup('localhost', resolve));
  await dns.promises.lookup('localhost').catch(() => undefined);
})();
`;
}

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then released. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
