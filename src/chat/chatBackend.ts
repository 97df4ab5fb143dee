/**
 * What chat needs from whatever answers it: exactly the calls the chat controller and the
 * language-model provider make. Two implementations: the embedded worker (`embeddedChatBackend`,
 * a thin adapter over RuntimeClient) and a team server (src/server/serverBackend.ts).
 */
import type { Disposable } from '../common/disposable';
import type { Config } from '../config/config';
import type { RuntimeClient } from '../runtime/client';
import type { ChatMessage, ChatResult } from '../runtime/protocol';

export interface ChatModel {
  /** Changes when a different model answers (a file path, or server URL + model name). */
  id: string;
  name: string;
  contextSize: number;
}

export interface ChatBackend {
  /** The configured model and where it runs, or undefined when nothing is configured. */
  describe(): { name: string; where: 'local' | 'server' } | undefined;
  /** Makes the model ready (loads it, or asks the server what it runs). */
  load(signal?: AbortSignal): Promise<ChatModel>;
  /** The model known ready right now, without loading or asking anything. */
  loadedModel(): ChatModel | undefined;
  countTokens(texts: string[], signal?: AbortSignal): Promise<number[]>;
  /** Tokens of a chat prompt as the model's template renders it. */
  chatPromptTokens(messages: ChatMessage[], signal?: AbortSignal): Promise<number>;
  /** Streams the answer through `onText`; resolves with the whole answer. */
  chat(messages: ChatMessage[], options: { maxTokens: number; signal?: AbortSignal; onText(text: string): void }): Promise<ChatResult>;
  /** Fires when the ready model may have changed. */
  onDidChange(listener: () => void): Disposable;
}

export function embeddedChatBackend(client: RuntimeClient, config: Config): ChatBackend {
  const asModel = (info: { path: string; name: string; contextSize: number } | undefined): ChatModel | undefined =>
    info && { id: info.path, name: info.name, contextSize: info.contextSize };
  return {
    describe: () => {
      const path = config.modelPath('chat');
      return path ? { name: path.split(/[\\/]/).pop() ?? path, where: 'local' } : undefined;
    },
    load: async (signal) => asModel(await client.load('chat', signal))!,
    loadedModel: () => asModel(client.loadedModel('chat')),
    countTokens: (texts, signal) => client.countTokens('chat', texts, signal),
    chatPromptTokens: (messages, signal) => client.chatPromptTokens(messages, signal),
    chat: (messages, options) => client.chat(messages, options),
    onDidChange: (listener) => client.onDidChangeState(() => listener()),
  };
}
