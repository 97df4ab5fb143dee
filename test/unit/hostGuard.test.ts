import * as assert from 'node:assert/strict';
import { checkServerUrl, type HostPolicy } from '../../src/server/hostGuard';

const strict: HostPolicy = { allowedHosts: [], allowPublicHosts: false };
const allowed = (url: string, policy: HostPolicy = strict) => checkServerUrl(url, policy).ok;
const reason = (url: string, policy: HostPolicy = strict) => {
  const v = checkServerUrl(url, policy);
  assert.ok(!v.ok, `${url} should be refused`);
  return v.reason;
};

describe('host guard (which servers code may be sent to)', () => {
  it('allows loopback: 127/8, ::1, localhost, *.localhost, 0.0.0.0', () => {
    for (const u of ['http://127.0.0.1:8080', 'http://127.255.0.9', 'http://[::1]:8080/v1', 'http://localhost:8080', 'http://LOCALHOST', 'http://api.localhost', 'http://0.0.0.0:8080']) {
      assert.ok(allowed(u), u);
    }
  });

  it('reads other spellings of IPv4 the way fetch will (0x7f.1, 2130706433)', () => {
    assert.ok(allowed('http://0x7f.1:8080'));
    assert.ok(allowed('http://2130706433/'));
    assert.ok(!allowed('http://0x08080808/'), '8.8.8.8 in hex is public');
  });

  it('allows the private IPv4 ranges and their edges, not the addresses beside them', () => {
    for (const u of ['http://10.0.0.1', 'http://10.255.255.255', 'http://172.16.0.1', 'http://172.31.255.254', 'http://192.168.1.20:8080', 'http://100.64.0.1', 'http://100.127.255.255', 'http://169.254.10.10']) {
      assert.ok(allowed(u), u);
    }
    for (const u of ['http://172.15.255.255', 'http://172.32.0.1', 'http://192.169.0.1', 'http://100.63.255.255', 'http://100.128.0.1', 'http://11.0.0.1', 'http://8.8.8.8', 'http://1.1.1.1']) {
      assert.ok(!allowed(u), u);
    }
  });

  it('allows IPv6 unique-local (fc00::/7) and link-local (fe80::/10), refuses global IPv6', () => {
    for (const u of ['http://[fc00::1]', 'http://[fd12:3456:789a::1]:8080', 'http://[fe80::1]', 'http://[febf::1]']) assert.ok(allowed(u), u);
    for (const u of ['http://[2001:4860:4860::8888]', 'http://[fec0::1]', 'http://[::]', 'http://[fbff::1]']) assert.ok(!allowed(u), u);
  });

  it('judges IPv4-mapped IPv6 by the IPv4 address it reaches', () => {
    assert.ok(allowed('http://[::ffff:127.0.0.1]:8080'));
    assert.ok(allowed('http://[::ffff:192.168.0.5]'));
    assert.ok(!allowed('http://[::ffff:8.8.8.8]'));
  });

  it('allows .local and .internal names; refuses other names, single-label ones included', () => {
    for (const u of ['http://gpu-box.local:8080', 'http://llm.corp.internal', 'https://models.internal/v1']) assert.ok(allowed(u), u);
    for (const u of ['http://example.com', 'http://gpu-box', 'http://local.example.com', 'http://evil-internal.com', 'http://internal']) assert.ok(!allowed(u), u);
  });

  it('allows what the allowlist names: exact hosts, IPs and *.domain (subdomains, not the domain itself)', () => {
    const policy: HostPolicy = { allowedHosts: ['llm.example.com', ' *.corp.example ', '203.0.113.7', '[2001:db8::5]'], allowPublicHosts: false };
    assert.ok(allowed('https://llm.example.com/v1', policy));
    assert.ok(allowed('https://LLM.Example.com', policy));
    assert.ok(allowed('http://a.corp.example:8080', policy));
    assert.ok(allowed('http://a.b.corp.example', policy));
    assert.ok(!allowed('http://corp.example', policy));
    assert.ok(!allowed('http://notcorp.example', policy));
    assert.ok(!allowed('http://llm.example.com.evil.net', policy));
    assert.ok(allowed('http://203.0.113.7:8080', policy));
    assert.ok(allowed('http://[2001:db8::5]', policy));
    assert.ok(!allowed('http://203.0.113.8', policy));
  });

  it('allowPublicHosts lets any http(s) host through', () => {
    assert.ok(allowed('https://api.example.com', { allowedHosts: [], allowPublicHosts: true }));
    assert.ok(!allowed('ftp://api.example.com', { allowedHosts: [], allowPublicHosts: true }));
  });

  it('refuses a public host and names the host and both settings that allow it', () => {
    const r = reason('https://api.example.com/v1');
    assert.match(r, /api\.example\.com/);
    assert.match(r, /sovereign\.server\.allowedHosts/);
    assert.match(r, /sovereign\.server\.allowPublicHosts/);
    assert.match(reason('http://8.8.8.8'), /public address/);
  });

  it('refuses a bad URL, another scheme, and credentials inside the URL', () => {
    assert.match(reason('not a url'), /not a valid URL/);
    assert.match(reason(''), /not a valid URL/);
    assert.match(reason('file:///etc/passwd'), /http:\/\/ or https:\/\//);
    assert.match(reason('ws://127.0.0.1:8080'), /http:\/\/ or https:\/\//);
    assert.match(reason('http://user:pass@127.0.0.1:8080'), /API Key/);
  });
});
