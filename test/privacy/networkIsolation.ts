/**
 * Proof that a test process really runs without a network when test/harness/offline.sh says it
 * does, so the "suite passes offline" claim cannot pass vacuously: only loopback interfaces, and
 * a connect to public addresses fails at once with ENETUNREACH (no route at all), which no
 * firewall or missing proxy on a networked machine produces.
 */
import { createConnection } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Set by offline.sh: `isolated` (inside `unshare -n`) or `unavailable` (it could not isolate). */
export const netnsVariable = 'SOVEREIGN_NETNS';

export function netnsState(): string | undefined {
  return process.env[netnsVariable];
}

/** Public addresses that would be reachable on any networked machine (Cloudflare, Google DNS). */
export const publicTargets = [
  { host: '1.1.1.1', port: 443 },
  { host: '8.8.8.8', port: 53 },
  { host: '2606:4700:4700::1111', port: 443 },
];

export interface IsolationProbe {
  /** Interface name → its addresses, as getifaddrs sees this process's network namespace. */
  interfaces: Record<string, { address: string; internal: boolean }[]>;
  /** `host:port` → the error code of a connect (or `connected`, `timeout`). */
  connects: Record<string, string>;
}

export async function probeIsolation(timeoutMs = 5_000): Promise<IsolationProbe> {
  const interfaces: IsolationProbe['interfaces'] = {};
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    interfaces[name] = (addresses ?? []).map((a) => ({ address: a.address, internal: a.internal }));
  }
  const connects: Record<string, string> = {};
  await Promise.all(publicTargets.map(async (t) => (connects[`${t.host}:${t.port}`] = await tryConnect(t.host, t.port, timeoutMs))));
  return { interfaces, connects };
}

/** The reasons a probe shows a network; empty when isolated. */
export function isolationProblems(probe: IsolationProbe): string[] {
  const problems: string[] = [];
  for (const [name, addresses] of Object.entries(probe.interfaces)) {
    if (name !== 'lo' || addresses.some((a) => !a.internal)) problems.push(`interface ${name} (${addresses.map((a) => a.address).join(', ')}) is not loopback`);
  }
  for (const [target, result] of Object.entries(probe.connects)) {
    if (result !== 'ENETUNREACH') problems.push(`connect to ${target} gave ${result}, not ENETUNREACH`);
  }
  return problems;
}

function tryConnect(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}

/** The line a suite prints when it could not run isolated: loud, so CI logs show it. */
export function notIsolatedBanner(layer: string): string {
  const state = netnsState();
  const why = state === 'unavailable' ? '`unshare -n` is not permitted on this machine' : `${netnsVariable} is not set (the suite was not started through test/harness/offline.sh)`;
  return `!!! PRIVACY PROOF DID NOT RUN for the ${layer} suite: ${why}; it ran WITH the network. !!!`;
}
