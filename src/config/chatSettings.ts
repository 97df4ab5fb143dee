import { modelContextSize } from './runtimeSettings';
import type { SettingsReader } from './settingsReader';

/** The chat settings: keys, types and the reader (read per message, so changes apply to the next one). The model file and its window are runtimeSettings.ts's. */
export const chatKeys = {
  chatMaxTokens: 'chat.maxTokens',
} as const;

export interface ChatSettings {
  /** Most tokens in one answer. */
  maxTokens: number;
  /** The window the chat model is loaded with; also the estimate while none is loaded. */
  contextSize: number;
}

export function chatSettings(read: SettingsReader): ChatSettings {
  return {
    maxTokens: read.integer(chatKeys.chatMaxTokens, 1),
    contextSize: modelContextSize(read, 'chat'),
  };
}
