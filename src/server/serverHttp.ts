/**
 * Every HTTP request Sovereign makes to a team server goes through here: the runtime's own
 * `fetch` (Node 20 and VS Code's extension host both have it), an AbortSignal for the caller's
 * cancellation (aborting closes the connection, and llama-server then stops generating), a timeout
 * of our own, and one typed error per failure. Requests only take an `AllowedUrl`, which only the
 * host guard hands out: code cannot reach a host the guard did not pass.
 */
import { createParser } from 'eventsource-parser';
import { CancelledError, SovereignError } from '../common/errors';
import type { AllowedUrl } from './hostGuard';

export interface ServerTarget {
  base: AllowedUrl;
  apiKey?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Without any answer (and, for streams, between two chunks) for this long, the request fails. */
  timeoutMs: number;
  /** Streams only: the wait for the first byte, which includes the prompt's evaluation. */
  firstByteTimeoutMs?: number;
  /** Streams only: a bound on the whole request, however steadily it streams. */
  totalTimeoutMs?: number;
}

/** `path` below the server URL; a URL that already ends in /v1 does not get a second one. */
export function endpointUrl(base: URL, path: string): URL {
  const root = base.pathname.replace(/\/+$/, '');
  const joined = root.endsWith('/v1') && path.startsWith('/v1/') ? root + path.slice(3) : root + path;
  return new URL(joined, base.origin);
}

export async function postJson<T>(target: ServerTarget, path: string, body: unknown, options: RequestOptions): Promise<T> {
  return request(target, path, { method: 'POST', body: JSON.stringify(body) }, options, async (res) => parseJson<T>(await res.text(), target, path));
}

export async function getJson<T>(target: ServerTarget, path: string, options: RequestOptions): Promise<T> {
  return request(target, path, { method: 'GET' }, options, async (res) => parseJson<T>(await res.text(), target, path));
}

/** POSTs and hands each server-sent event's `data` to `onData` until the stream ends or `[DONE]`. */
export async function postEventStream(target: ServerTarget, path: string, body: unknown, options: RequestOptions, onData: (data: string) => void): Promise<void> {
  return request(target, path, { method: 'POST', body: JSON.stringify(body) }, { ...options, timeoutMs: options.firstByteTimeoutMs ?? options.timeoutMs }, async (res, timer) => {
    if (!res.body) throw new SovereignError('serverError', `${describe(target, path)} sent no body.`);
    let done = false;
    const parser = createParser({
      onEvent: (event) => {
        if (done) return;
        if (event.data === '[DONE]') done = true;
        else onData(event.data);
      },
    });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      while (!done) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        timer.restart(options.timeoutMs);
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      // An unread rest would keep the connection (and the server's generation) alive.
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  });
}

interface Timer {
  restart(ms: number): void;
}

async function request<T>(
  target: ServerTarget,
  path: string,
  init: { method: string; body?: string },
  options: RequestOptions,
  read: (res: Response, timer: Timer) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  if (signal?.aborted) throw new CancelledError();
  const controller = new AbortController();
  let timedOut = false;
  let waitedMs = options.timeoutMs;
  let handle: NodeJS.Timeout | undefined;
  const timer: Timer = {
    restart(ms) {
      clearTimeout(handle);
      handle = setTimeout(() => {
        timedOut = true;
        waitedMs = ms;
        controller.abort();
      }, ms);
    },
  };
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  timer.restart(options.timeoutMs);
  const total =
    options.totalTimeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          waitedMs = options.totalTimeoutMs!;
          controller.abort();
        }, options.totalTimeoutMs);
  const waited = () => `${Math.round(waitedMs / 100) / 10} s`;
  try {
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
    const send = () => fetch(endpointUrl(target.base, path), { method: init.method, body: init.body, headers, signal: controller.signal });
    const res = await send().catch(async (e: unknown) => {
      if (controller.signal.aborted || !closedBeforeAnswer(e)) throw e;
      // One turn of the event loop first: fetch's pool then drops every socket whose close has arrived.
      await new Promise((resolve) => setImmediate(resolve));
      return send();
    });
    if (!res.ok) throw await httpError(res, target, path);
    return await read(res, timer);
  } catch (e) {
    if (signal?.aborted) throw new CancelledError();
    if (timedOut) throw new SovereignError('serverTimeout', `${describe(target, path)} did not answer within ${waited()}. The server may be overloaded or stopped.`);
    if (e instanceof SovereignError) throw e;
    throw new SovereignError('serverUnreachable', `Cannot reach the server at ${target.base.origin}: ${networkCause(e)}. Is it running, and is sovereign.server.url right?`);
  } finally {
    clearTimeout(handle);
    clearTimeout(total);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The connection closed before any answer came: the request was sent on a kept-alive socket the
 * server was closing. llama-server does this after every streamed answer although its headers say
 * keep-alive (its stream callback ends by returning false, which cpp-httplib takes as a cancel and
 * closes the socket), and fetch may have sent the next request on it before it saw the close. The
 * server read nothing of it, so it is sent once more, on a new connection.
 */
function closedBeforeAnswer(e: unknown): boolean {
  const code = (e as { cause?: { code?: string } }).cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

async function httpError(res: Response, target: ServerTarget, path: string): Promise<SovereignError> {
  const text = await res.text().catch(() => '');
  const detail = serverMessage(text) ?? res.statusText;
  const status = `HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
  if (res.status === 401 || res.status === 403) {
    const fix = target.apiKey ? 'The API key was refused: run "Sovereign: Set Server API Key…" to change it.' : 'It wants an API key: run "Sovereign: Set Server API Key…".';
    return new SovereignError('serverAuth', `${describe(target, path)} answered ${status}. ${fix}`);
  }
  if (res.status === 404) {
    return new SovereignError('serverError', `${describe(target, path)} answered ${status}. Does sovereign.backend match this server (llama-server offers /infill, other servers only /v1/…)?`);
  }
  return new SovereignError('serverError', `${describe(target, path)} answered ${status}.`);
}

/** The message of an OpenAI-style `{"error": {"message": …}}` body, or a short plain-text body. */
function serverMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof m === 'string' && m) return m.slice(0, 300);
  } catch {
    // Not JSON.
  }
  const plain = text.trim();
  return plain && plain.length <= 300 ? plain : undefined;
}

function parseJson<T>(text: string, target: ServerTarget, path: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new SovereignError('serverError', `${describe(target, path)} did not answer with JSON.`);
  }
}

function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    default:
      return cause?.message ?? (e instanceof Error ? e.message : String(e));
  }
}

function describe(target: ServerTarget, path: string): string {
  return `The server at ${target.base.origin} (${path})`;
}
