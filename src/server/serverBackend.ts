/**
 * A team server as the second implementation of both backends: completion (the CompletionModel
 * seam of the CompletionPipeline) and chat (ChatBackend). Free of `vscode`: settings and the API key
 * are read through functions at request time, so changes apply to the next request, and the
 * server tests drive this very class against a real llama-server.
 *
 * - `llama-server`: completion through `/infill`, chat through `/v1/chat/completions`, exact token
 *   counts through `/tokenize` and `/apply-template`, the context size from `/props`.
 * - `openai-compatible`: completion through `/v1/completions` with a FIM template, chat through
 *   `/v1/chat/completions`; token counts are estimated (4 characters a token, 4 more per message),
 *   since such servers have no common tokenize endpoint; the context size comes from `/v1/models`
 *   when the server reports one (llama-server's meta.n_ctx, vLLM's max_model_len), else from
 *   `sovereign.chat.contextSize`.
 */
import type { ChatBackend, ChatModel } from '../chat/chatBackend';
import type { CompletionBackend } from '../completion/completionBackend';
import { Emitter } from '../common/disposable';
import { estimateTokens } from '../common/charsPerToken';
import { SovereignError, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import type { ChatMessage, ChatResult, CompletionParams, CompletionResult, CompletionStats } from '../runtime/protocol';
import type { ServerSettings } from '../config/serverSettings';
import { isFimTemplate } from '../fim/fimFamilies';
import { HoleStart } from '../fim/holeStart';
import { checkServerUrl, type AllowedUrl } from './hostGuard';
import { infillBody, infillCollector, infillResult } from './infillRequest';
import { openAiCompletionBody, openAiCompletionCollector, openAiCompletionResult } from './openAiCompletionRequest';
import { streamChat } from './serverChat';
import { getJson, postEventStream, postJson, type ServerTarget } from './serverHttp';

export interface ServerTimeouts {
  /** A completion is worthless after this; the status bar says the server is slow. */
  completionMs: number;
  /** Chat: the wait for the first streamed byte (includes evaluating the prompt), then between chunks. */
  chatFirstByteMs: number;
  chatIdleMs: number;
  /** Model info and token counts. */
  infoMs: number;
}

export const defaultTimeouts: ServerTimeouts = { completionMs: 15_000, chatFirstByteMs: 120_000, chatIdleMs: 60_000, infoMs: 10_000 };

export type ServerState =
  | { kind: 'idle'; url: string }
  | { kind: 'ready'; url: string; model?: string; last?: CompletionStats }
  | { kind: 'error'; url: string; error: SovereignError };

export interface ServerBackendOptions {
  settings(): ServerSettings;
  /** Read before every request (SecretStorage in the extension). */
  apiKey(): Promise<string | undefined>;
  log: Log;
  timeouts?: Partial<ServerTimeouts>;
}

export class ServerBackend implements CompletionBackend, ChatBackend {
  private state: ServerState;
  private chatInfo: { key: string; model: ChatModel; exactTokens: boolean } | undefined;
  private readonly stateEmitter = new Emitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly timeouts: ServerTimeouts;
  /** Where the typed middle of /v1/completions prompts starts (openAiCompletionRequest.ts). */
  private readonly hole = new HoleStart();

  constructor(private readonly options: ServerBackendOptions) {
    this.timeouts = { ...defaultTimeouts, ...options.timeouts };
    this.state = this.initialState();
  }

  get currentState(): ServerState {
    return this.state;
  }

  configured(): boolean {
    return !!this.options.settings().url.trim();
  }

  /** Settings or the API key changed: forget what the server said, start over. */
  reset(): void {
    this.chatInfo = undefined;
    this.setState(this.initialState());
  }

  async complete(params: CompletionParams, signal?: AbortSignal): Promise<CompletionResult> {
    const s = this.options.settings();
    // Generic servers have no KV warm-up worth a generation: skip it rather than spend their time.
    if (params.maxTokens === 0 && s.kind === 'openai-compatible') return { text: '', stats: warmupStats };
    return this.tracked(async () => {
      const target = await this.target(s);
      const started = performance.now();
      const llama = s.kind === 'llama-server';
      const collector = llama ? infillCollector() : openAiCompletionCollector();
      const body = llama ? infillBody(params) : openAiCompletionBody(params, isFimTemplate(s.fimTemplate) ? s.fimTemplate : 'qwen', s.completionModel, this.hole);
      const t = this.timeouts.completionMs;
      await postEventStream(target, llama ? '/infill' : '/v1/completions', body, { signal, timeoutMs: t, firstByteTimeoutMs: t, totalTimeoutMs: t }, (data) => {
        try {
          collector.add(data);
        } catch {
          throw new SovereignError('serverError', `The server at ${target.base.origin} streamed something that is not JSON: ${data.slice(0, 100)}`);
        }
      });
      const ms = performance.now() - started;
      const result = llama ? infillResult(collector.answer(), params, ms) : openAiCompletionResult(collector.answer(), params, ms);
      const last = params.maxTokens === 0 && this.state.kind === 'ready' ? this.state.last : result.stats;
      this.setState({ kind: 'ready', url: s.url, model: this.state.kind === 'ready' ? this.state.model : undefined, last });
      return result;
    });
  }

  describe(): { name: string; where: 'server' } | undefined {
    const s = this.options.settings();
    if (!s.url.trim()) return undefined;
    return { name: s.chatModel || this.chatInfo?.model.name || s.url, where: 'server' };
  }

  async load(signal?: AbortSignal): Promise<ChatModel> {
    return (await this.info(signal)).model;
  }

  loadedModel(): ChatModel | undefined {
    const info = this.chatInfo;
    return info && info.key === infoKey(this.options.settings()) ? info.model : undefined;
  }

  async countTokens(texts: string[], signal?: AbortSignal): Promise<number[]> {
    const info = await this.info(signal);
    if (!info.exactTokens) return texts.map(estimateTokens);
    return this.tracked(async () => {
      const target = await this.target(this.options.settings());
      return Promise.all(
        texts.map(async (content) => {
          const r = await postJson<{ tokens: unknown[] }>(target, '/tokenize', { content, add_special: false, parse_special: false }, { signal, timeoutMs: this.timeouts.infoMs });
          return r.tokens.length;
        }),
      );
    });
  }

  async chatPromptTokens(messages: ChatMessage[], signal?: AbortSignal): Promise<number> {
    const info = await this.info(signal);
    if (!info.exactTokens) return messages.reduce((n, m) => n + 4 + estimateTokens(m.content), 3);
    return this.tracked(async () => {
      const target = await this.target(this.options.settings());
      const options = { signal, timeoutMs: this.timeouts.infoMs };
      const { prompt } = await postJson<{ prompt: string }>(target, '/apply-template', { messages }, options);
      const r = await postJson<{ tokens: unknown[] }>(target, '/tokenize', { content: prompt, add_special: true, parse_special: true }, options);
      return r.tokens.length;
    });
  }

  async chat(messages: ChatMessage[], options: { maxTokens: number; signal?: AbortSignal; onText(text: string): void }): Promise<ChatResult> {
    const s = this.options.settings();
    return this.tracked(async () =>
      streamChat(await this.target(s), { messages, maxTokens: options.maxTokens, model: s.chatModel }, {
        signal: options.signal,
        firstByteTimeoutMs: this.timeouts.chatFirstByteMs,
        idleTimeoutMs: this.timeouts.chatIdleMs,
        onText: options.onText,
      }),
    );
  }

  onDidChange(listener: () => void): { dispose(): void } {
    return this.stateEmitter.event(() => listener());
  }

  dispose(): void {
    this.stateEmitter.dispose();
  }

  /** What the server runs and how large its context is; asked once per settings. */
  private async info(signal?: AbortSignal): Promise<{ model: ChatModel; exactTokens: boolean }> {
    const s = this.options.settings();
    const key = infoKey(s);
    if (this.chatInfo?.key === key) return this.chatInfo;
    return this.tracked(async () => {
      const target = await this.target(s);
      const options = { signal, timeoutMs: this.timeouts.infoMs };
      let model: ChatModel;
      if (s.kind === 'llama-server') {
        const props = await getJson<LlamaProps>(target, '/props', options);
        const name = s.chatModel || baseName(props.model_alias ?? props.model_path ?? 'llama-server');
        model = { id: `${s.url}#${name}`, name, contextSize: props.default_generation_settings?.n_ctx ?? props.n_ctx ?? s.chatContextSize };
      } else {
        const list = await getJson<ModelList>(target, '/v1/models', options).catch((e: unknown) => {
          if (isCancelled(e) || !(e instanceof SovereignError) || e.kind !== 'serverError') throw e;
          return { data: [] } as ModelList; // Some servers list no models: the settings name it.
        });
        const entry = list.data?.find((m) => m.id === s.chatModel) ?? (s.chatModel ? undefined : list.data?.[0]);
        const name = s.chatModel || entry?.id || 'server default';
        const contextSize = entry?.meta?.n_ctx ?? entry?.max_model_len ?? entry?.context_length ?? s.chatContextSize;
        model = { id: `${s.url}#${name}`, name: baseName(name), contextSize };
      }
      this.chatInfo = { key, model, exactTokens: s.kind === 'llama-server' };
      this.setState({ kind: 'ready', url: s.url, model: model.name, last: this.state.kind === 'ready' ? this.state.last : undefined });
      return this.chatInfo;
    });
  }

  /** The guard runs before every request: a refused URL sends nothing and says why. */
  private async target(s: ServerSettings): Promise<ServerTarget> {
    const verdict = guard(s);
    if (!verdict.ok) throw verdict.error;
    return { base: verdict.url, apiKey: await this.options.apiKey() };
  }

  /** Idle, or already the guard's refusal: the status bar says why before anything is tried. */
  private initialState(): ServerState {
    const s = this.options.settings();
    const verdict = guard(s);
    return verdict.ok || !s.url.trim() ? { kind: 'idle', url: s.url } : { kind: 'error', url: s.url, error: verdict.error };
  }

  /** Errors go to the state (the status bar shows them); cancellation is silent. */
  private async tracked<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof SovereignError && !isCancelled(e)) {
        this.options.log.warn(e.message);
        this.setState({ kind: 'error', url: this.options.settings().url, error: e });
      }
      throw e;
    }
  }

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }
}

interface LlamaProps {
  model_alias?: string;
  model_path?: string;
  n_ctx?: number;
  default_generation_settings?: { n_ctx?: number };
}

interface ModelList {
  data?: { id: string; meta?: { n_ctx?: number }; max_model_len?: number; context_length?: number }[];
}

const warmupStats: CompletionStats = { reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, promptMs: 0, generateMs: 0, totalMs: 0, stop: 'warmup' };

function guard(s: ServerSettings): { ok: true; url: AllowedUrl } | { ok: false; error: SovereignError } {
  if (!s.url.trim()) return { ok: false, error: new SovereignError('hostNotAllowed', 'No team server is configured: set sovereign.server.url, or set sovereign.backend to "embedded".') };
  if (s.offline) return { ok: false, error: new SovereignError('hostNotAllowed', 'The team server is not used because "sovereign.offline" is on: nothing is sent over the network. Set sovereign.backend to "embedded", or turn sovereign.offline off.') };
  const verdict = checkServerUrl(s.url, s);
  return verdict.ok ? verdict : { ok: false, error: new SovereignError('hostNotAllowed', verdict.reason) };
}

function infoKey(s: ServerSettings): string {
  return JSON.stringify([s.kind, s.url, s.chatModel, s.chatContextSize]);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

