import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import type { Config } from '../config/config';
import { chatSettings } from '../config/chatSettings';
import { serverSettings } from '../config/serverSettings';
import { SettingKeys } from '../config/settingKeys';
import type { ChatBackend } from './chatBackend';
import type { ChatMessage } from '../runtime/protocol';
import { prepareChat } from './prepareChat';

/**
 * The shapes of VS Code's Language Model Chat Provider API (finalized after 1.95, the version our
 * @types/vscode describes); detected at run time, so older VS Code simply goes without it.
 */
interface ModelInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  tooltip?: string;
  detail?: string;
  capabilities: { imageInput?: boolean; toolCalling?: boolean | number };
}
interface RequestMessage {
  role: number;
  content: readonly unknown[];
}
interface LmApi {
  registerLanguageModelChatProvider(
    vendor: string,
    provider: {
      onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
      provideLanguageModelChatInformation(options: unknown, token: vscode.CancellationToken): ModelInformation[];
      provideLanguageModelChatResponse(model: ModelInformation, messages: readonly RequestMessage[], options: unknown, progress: vscode.Progress<unknown>, token: vscode.CancellationToken): Promise<void>;
      provideTokenCount(model: ModelInformation, text: string | RequestMessage, token: vscode.CancellationToken): Promise<number>;
    },
  ): vscode.Disposable;
}

export const languageModelVendor = 'sovereign';

/**
 * Offers the local chat model to VS Code's own chat and to other extensions (`vscode.lm`), when
 * this VS Code has the API. The same worker answers, with the same priority for completion.
 */
export function registerLanguageModelProvider(backend: ChatBackend, config: Config): vscode.Disposable {
  const lm = (vscode as unknown as { lm?: Partial<LmApi> }).lm;
  if (typeof lm?.registerLanguageModelChatProvider !== 'function') return new vscode.Disposable(() => undefined);
  const changed = new vscode.EventEmitter<void>();
  const windowOf = () => backend.loadedModel()?.contextSize ?? chatSettings(config).contextSize;
  const registration = lm.registerLanguageModelChatProvider(languageModelVendor, {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () => {
      const described = backend.describe();
      if (!described) return [];
      const maxOutputTokens = chatSettings(config).maxTokens;
      const { name, where } = described;
      const local = where === 'local';
      return [
        {
          id: 'local-chat',
          name: `Sovereign: ${name}`,
          family: local ? 'sovereign-local' : 'sovereign-server',
          version: name,
          maxInputTokens: Math.max(1, windowOf() - maxOutputTokens),
          maxOutputTokens,
          tooltip: local ? 'Runs on this machine; nothing leaves it.' : `Runs on the team server at ${serverSettings(config).url}.`,
          detail: local ? 'local' : 'team server',
          capabilities: { imageInput: false, toolCalling: false },
        },
      ];
    },
    provideLanguageModelChatResponse: async (_model, messages, _options, progress, token) => {
      const signal = toAbortSignal(token);
      const info = await backend.load(signal);
      const all = messages.map(toChatMessage);
      const last = all.at(-1)?.role === 'user' ? all.pop()! : undefined;
      const prepared = await prepareChat({
        history: all.filter((m) => m.role !== 'system'),
        question: last?.content ?? '',
        attachments: [],
        windowTokens: info.contextSize,
        maxAnswerTokens: chatSettings(config).maxTokens,
        count: (texts) => backend.countTokens(texts, signal),
        measure: (m) => backend.chatPromptTokens(m, signal),
      });
      await backend.chat(prepared.messages, { maxTokens: prepared.maxTokens, signal, onText: (text) => progress.report(new vscode.LanguageModelTextPart(text)) });
    },
    provideTokenCount: async (_model, text, token) => {
      const [n] = await backend.countTokens([typeof text === 'string' ? text : toChatMessage(text).content], toAbortSignal(token));
      return n;
    },
  });
  // VS Code asks a provider for its models only when something asks for them (or it says they
  // changed): until then the Chat panel's picker offers only "Sign in to use Copilot".
  changed.fire();
  return vscode.Disposable.from(registration, changed, config.onDidChange([SettingKeys.chatModelPath, SettingKeys.chatContextSize, SettingKeys.chatMaxTokens, SettingKeys.backend, SettingKeys.serverUrl, SettingKeys.serverChatModel], () => changed.fire()));
}

function toChatMessage(m: RequestMessage): ChatMessage {
  const content = m.content
    .map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : typeof (part as { value?: unknown }).value === 'string' ? (part as { value: string }).value : ''))
    .join('');
  return { role: m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'user', content };
}
