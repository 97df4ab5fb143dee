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
import { createServer } from 'node:net';
import { startLlamaServer, type LlamaServer } from '../../bench/llamaServer';
import { silentLog } from '../../src/common/log';
import { ServerBackend, type ServerSettings, type ServerTimeouts } from '../../src/server/serverBackend';
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

/** The server's one slot is idle again (it stopped generating). */
export async function slotIdle(url: string): Promise<boolean> {
  const res = await fetch(`${url}/slots`, { headers: { authorization: `Bearer ${apiKey}` } });
  const slots = (await res.json()) as { is_processing: boolean }[];
  return slots.every((s) => !s.is_processing);
}
