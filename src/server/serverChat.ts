/**
 * A chat answer streamed from an OpenAI-compatible `/v1/chat/completions` (llama-server, vLLM,
 * Ollama…) as server-sent events. Stopping aborts the HTTP request; the server sees the closed
 * connection and stops generating.
 */
import { SovereignError } from '../common/errors';
import type { ChatMessage, ChatResult } from '../runtime/protocol';
import { postEventStream, type ServerTarget } from './serverHttp';

interface ChatChunkEvent {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  error?: { message?: string } | string;
}

export interface StreamChatOptions {
  signal?: AbortSignal;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  onText(text: string): void;
}

export async function streamChat(target: ServerTarget, request: { messages: ChatMessage[]; maxTokens: number; model: string }, options: StreamChatOptions): Promise<ChatResult> {
  const started = performance.now();
  let firstTokenMs = 0;
  let chunks = 0;
  let usage: ChatChunkEvent['usage'];
  let finish: string | null | undefined;
  const parts: string[] = [];
  const body = {
    ...(request.model ? { model: request.model } : {}),
    messages: request.messages,
    max_tokens: request.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
  };
  await postEventStream(target, '/v1/chat/completions', body, { signal: options.signal, timeoutMs: options.idleTimeoutMs, firstByteTimeoutMs: options.firstByteTimeoutMs }, (data) => {
    let event: ChatChunkEvent;
    try {
      event = JSON.parse(data) as ChatChunkEvent;
    } catch {
      throw new SovereignError('serverError', `The server at ${target.base.origin} streamed something that is not JSON: ${data.slice(0, 100)}`);
    }
    if (event.error) {
      const message = typeof event.error === 'string' ? event.error : (event.error.message ?? 'unknown error');
      throw new SovereignError('serverError', `The server at ${target.base.origin} stopped the answer: ${message}`);
    }
    if (event.usage) usage = event.usage;
    finish = event.choices?.[0]?.finish_reason ?? finish;
    const text = event.choices?.[0]?.delta?.content;
    if (!text) return;
    if (!firstTokenMs) firstTokenMs = Math.round(performance.now() - started);
    chunks++;
    parts.push(text);
    options.onText(text);
  });
  return {
    text: parts.join(''),
    stopped: false,
    cut: finish === 'length',
    stats: {
      promptTokens: usage?.prompt_tokens ?? 0,
      generatedTokens: usage?.completion_tokens ?? chunks,
      firstTokenMs,
      totalMs: Math.round(performance.now() - started),
    },
  };
}
