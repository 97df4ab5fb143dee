/**
 * A real llama-server for the server tests: built once from node-llama-cpp's bundled llama.cpp
 * source into the dev cache (bench/llamaServer.ts; `test/setup.sh` builds it on a fresh machine),
 * started on 127.0.0.1 on a free port with a generated test model.
 *
 * Model: fim-qwen2-f16.gguf (Qwen2.5-Coder FIM tokens at their real ids, ChatML template, so the
 * one file serves /infill, /v1/completions and /v1/chat/completions), F16 as the issue asks: F16
 * runs the same kernels in any llama.cpp build, where Q8_0 depends on the build's CPU paths
 * (test-models.md: native AMX builds crashed on Q8_0).
 */
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { startLlamaServer, type LlamaServer } from '../../bench/llamaServer';
import { silentLog } from '../../src/common/log';
import type { ServerSettings } from '../../src/config/serverSettings';
import { ServerBackend, type ServerTimeouts } from '../../src/server/serverBackend';
import { ensureTestModels, testModelPath, type TestModelName } from '../../scripts/models/testModels';

export const apiKey = 'sovereign-test-key-3f9a';
export const serverTestModel = 'fim-qwen2-f16' satisfies TestModelName;
export const serverContext = 4096;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * llama-server with `--api-key` (unless `withApiKey` is false), one slot, greedy decoding by
 * request. The integration suite imports this too (no mocha in it): there the extension would read
 * a key from SecretStorage, which a test cannot fill, so it starts the server without one.
 */
export async function startTestServer(options: { withApiKey?: boolean; extraArgs?: string[] } = {}): Promise<LlamaServer> {
  await ensureTestModels();
  return startLlamaServer({
    model: testModelPath(serverTestModel),
    port: await freePort(),
    threads: 1,
    ctx: serverContext,
    extraArgs: [...(options.withApiKey === false ? [] : ['--api-key', apiKey]), ...(options.extraArgs ?? [])],
  });
}

export function settingsFor(url: string, overrides: Partial<ServerSettings> = {}): ServerSettings {
  return {
    kind: 'llama-server',
    url,
    allowedHosts: [],
    allowPublicHosts: false,
    completionModel: '',
    chatModel: '',
    fimTemplate: 'qwen',
    chatContextSize: 2048,
    ...overrides,
  };
}

/** A backend whose settings and key a test may change between requests (as the user would). */
export function createBackend(settings: ServerSettings, key: string | undefined = apiKey, timeouts: Partial<ServerTimeouts> = {}): { backend: ServerBackend; settings: ServerSettings; key: { value: string | undefined } } {
  const holder = { value: key };
  const backend = new ServerBackend({ settings: () => settings, apiKey: async () => holder.value, log: silentLog, timeouts });
  return { backend, settings, key: holder };
}

export const completionParams = (prefix: string, suffix: string, maxTokens = 16) => ({ prefix, suffix, maxTokens, maxPrefixTokens: 1024, maxSuffixTokens: 256 });

/** Rejects with what `promise` rejected with, and how long it took. */
export async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the request to fail');
}

/**
 * One request on a connection of its own, for the tests' own look at the server. Not through fetch's
 * pool: llama-server closes the connection after each streamed answer while saying keep-alive, and
 * a pooled socket may be one it is closing (see closedBeforeAnswer in src/server/serverHttp.ts).
 */
export function ownConnection(url: string, options: { method?: string; body?: string; timeoutMs?: number } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const req = httpRequest(url, { method: options.method ?? 'GET', headers, agent: false, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The server's one slot is idle again (it stopped generating). */
export async function slotIdle(url: string): Promise<boolean> {
  const slots = JSON.parse((await ownConnection(`${url}/slots`)).text) as { is_processing: boolean }[];
  return slots.every((s) => !s.is_processing);
}

/**
 * Proves the shared server healthy after a test that may have damaged it, before the next test
 * runs: the process still runs, /health says ok, and a one-token request is answered (it waits
 * for a slot still finishing cancelled work, as any request would). Otherwise it fails naming the
 * test and showing the server's exit status and log, so the damage is reported where it was done.
 */
export async function assertServerHealthy(server: LlamaServer, after: string, timeoutMs = 60_000): Promise<void> {
  const unhealthy = (why: string) => new Error(`llama-server is not healthy after "${after}": ${why}\n--- llama-server log (last 16 KB) ---\n${server.logTail()}`);
  const exit = server.exitStatus();
  if (exit) throw unhealthy(`it exited (code ${exit.code}, signal ${exit.signal})`);
  let answered: { tokens_predicted?: number };
  try {
    const health = await ownConnection(`${server.url}/health`, { timeoutMs });
    if (health.status !== 200) throw unhealthy(`/health answered HTTP ${health.status}`);
    const res = await ownConnection(`${server.url}/completion`, { method: 'POST', body: JSON.stringify({ prompt: 'x = ', n_predict: 1, temperature: 0 }), timeoutMs });
    if (res.status !== 200) throw unhealthy(`a one-token /completion answered HTTP ${res.status}: ${res.text}`);
    answered = JSON.parse(res.text) as { tokens_predicted?: number };
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('llama-server is not healthy')) throw e;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw unhealthy(`a request failed: ${e instanceof Error ? e.message : String(e)}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
  }
  if (answered.tokens_predicted !== 1) throw unhealthy(`a one-token /completion predicted ${answered.tokens_predicted} tokens`);
}
