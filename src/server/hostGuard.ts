/**
 * Decides whether code may be sent to a team server URL, before any request is made. Pure and free
 * of `vscode`, so every range is unit-tested in plain node.
 *
 * Allowed without asking: loopback (127.0.0.0/8, ::1, `localhost`, `*.localhost`, 0.0.0.0 which
 * connects to this machine), private ranges (10/8, 172.16/12, 192.168/16, 100.64/10 shared address
 * space as Tailscale and carrier NAT use it, 169.254/16 and fe80::/10 link-local, fc00::/7 unique
 * local, and IPv4-mapped IPv6 forms of all of these), and names ending in `.local` or `.internal`.
 * Anything else needs an entry in `sovereign.server.allowedHosts` (`host` or `*.domain`) or
 * `sovereign.server.allowPublicHosts`.
 *
 * Decision: other DNS names, single-label intranet names included, are refused unless allowlisted.
 * The guard judges the name as written and does not resolve it: a lookup here would add latency to
 * every keystroke and could still differ from the one fetch makes a moment later.
 */
import { SettingKeys, section } from '../config/settingKeys';

export interface HostPolicy {
  /** Exact host names or IP literals, or `*.domain` for any subdomain of `domain`. */
  allowedHosts: readonly string[];
  allowPublicHosts: boolean;
}

declare const allowed: unique symbol;
/** A URL this guard passed: the HTTP layer takes no other (see serverHttp.ts). */
export type AllowedUrl = URL & { readonly [allowed]: true };

export type HostVerdict = { ok: true; url: AllowedUrl; why: string } | { ok: false; reason: string };

const allowedHostsSetting = `${section}.${SettingKeys.serverAllowedHosts}`;
const allowPublicSetting = `${section}.${SettingKeys.serverAllowPublicHosts}`;
const urlSetting = `${section}.${SettingKeys.serverUrl}`;

export function checkServerUrl(raw: string, policy: HostPolicy): HostVerdict {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: `${urlSetting} is not a valid URL ("${raw}"). Example: http://127.0.0.1:8080` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `${urlSetting} must start with http:// or https:// (it is "${url.protocol}").` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: `${urlSetting} must not hold a user name or password: run "Sovereign: Set Server API Key…" instead.` };
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const pass = (why: string): HostVerdict => ({ ok: true, url: url as AllowedUrl, why });
  const local = localReason(host);
  if (local) return pass(local);
  if (policy.allowedHosts.some((entry) => matchesEntry(host, entry))) return pass(`listed in ${allowedHostsSetting}`);
  if (policy.allowPublicHosts) return pass(`${allowPublicSetting} is on`);
  const what = isIpLiteral(host) ? 'a public address' : 'not a loopback, private-network, .local or .internal name';
  return {
    ok: false,
    reason:
      `Sovereign sent nothing to ${host}: it is ${what}. Code goes only to this machine or your own network unless you allow more. ` +
      `If this server is yours, add "${host}" to ${allowedHostsSetting} (or set ${allowPublicSetting}).`,
  };
}

/** Why `host` counts as this machine or a private network, or undefined when it does not. */
function localReason(host: string): string | undefined {
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback';
  const v4 = parseIpv4(host);
  if (v4) return ipv4Reason(v4);
  const v6 = parseIpv6(host);
  if (v6) return ipv6Reason(v6);
  if (host.endsWith('.local')) return '.local name';
  if (host.endsWith('.internal')) return '.internal name';
  return undefined;
}

function ipv4Reason([a, b]: number[]): string | undefined {
  if (a === 127) return 'loopback';
  if (a === 0 && b === 0) return 'this machine (0.0.0.0)';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private network';
  if (a === 100 && b >= 64 && b <= 127) return 'shared address space (100.64.0.0/10)';
  if (a === 169 && b === 254) return 'link-local';
  return undefined;
}

function ipv6Reason(b: number[]): string | undefined {
  const zeros = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeros(15) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d.
  if (zeros(10) && b[10] === 0xff && b[11] === 0xff) return ipv4Reason(b.slice(12));
  if ((b[0] & 0xfe) === 0xfc) return 'unique local address (fc00::/7)';
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return 'link-local';
  return undefined;
}

function matchesEntry(host: string, entry: string): boolean {
  const e = entry.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (!e) return false;
  if (e.startsWith('*.')) return host.endsWith(e.slice(1));
  return host === e;
}

function isIpLiteral(host: string): boolean {
  return !!parseIpv4(host) || !!parseIpv6(host);
}

/** Dotted-quad only: the URL parser already turned other IPv4 spellings (0x7f.1, 2130706433) into it. */
function parseIpv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** The 16 bytes of an IPv6 literal (`::` and a dotted IPv4 tail accepted), or undefined. */
function parseIpv6(host: string): number[] | undefined {
  if (!host.includes(':')) return undefined;
  let text = host.split('%')[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = parseIpv4(tail[1]);
    if (!v4) return undefined;
    text = text.slice(0, -tail[1].length) + `${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}
