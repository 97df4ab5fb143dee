/**
 * One interface, two implementations: these route each call to the embedded worker or to the team
 * server by `sovereign.backend` as it is at that moment, so switching needs no reload.
 */
import type { ChatBackend } from '../chat/chatBackend';
import type { CompletionBackend } from '../completion/completionBackend';
import type { Disposable } from '../common/disposable';

export function selectCompletionBackend(embedded: CompletionBackend, server: CompletionBackend, useServer: () => boolean): CompletionBackend {
  const pick = () => (useServer() ? server : embedded);
  return {
    complete: (params, signal) => pick().complete(params, signal),
    configured: () => pick().configured(),
  };
}

/** `switched` fires when the choice changes: chat then re-reads what model is ready. */
export function selectChatBackend(embedded: ChatBackend, server: ChatBackend, useServer: () => boolean, switched: (listener: () => void) => Disposable): ChatBackend {
  const pick = () => (useServer() ? server : embedded);
  return {
    describe: () => pick().describe(),
    load: (signal) => pick().load(signal),
    loadedModel: () => pick().loadedModel(),
    countTokens: (texts, signal) => pick().countTokens(texts, signal),
    chatPromptTokens: (messages, signal) => pick().chatPromptTokens(messages, signal),
    chat: (messages, options) => pick().chat(messages, options),
    onDidChange: (listener) => {
      const subs = [embedded.onDidChange(listener), server.onDidChange(listener), switched(listener)];
      return { dispose: () => subs.forEach((s) => s.dispose()) };
    },
  };
}
