/**
 * One line per chat answer in the log at debug level, for whichever backend answers and whoever
 * asks (the chat view, VS Code's language-model API): latency, tokens and why it stopped, which
 * is what a user reporting "chat is slow" or "the answer is cut" can paste.
 */
import { errorMessage, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import type { ChatResult } from '../runtime/protocol';
import type { ChatBackend } from './chatBackend';

export function loggedChatBackend(backend: ChatBackend, log: Log, now: () => number = () => performance.now()): ChatBackend {
  return {
    describe: () => backend.describe(),
    load: (signal) => backend.load(signal),
    loadedModel: () => backend.loadedModel(),
    countTokens: (texts, signal) => backend.countTokens(texts, signal),
    chatPromptTokens: (messages, signal) => backend.chatPromptTokens(messages, signal),
    onDidChange: (listener) => backend.onDidChange(listener),
    chat: async (messages, options) => {
      const started = now();
      try {
        const result = await backend.chat(messages, options);
        log.debug(chatLogLine(result, options.maxTokens, Math.round(now() - started)));
        return result;
      } catch (e) {
        const ms = Math.round(now() - started);
        log.debug(isCancelled(e) ? `chat: cancelled after ${ms} ms` : `chat: failed after ${ms} ms: ${errorMessage(e)}`);
        throw e;
      }
    },
  };
}

/** "chat: 2310 ms (first token 812 ms), prompt 412 tokens, generated 48 of max 48; stop: maxTokens". */
export function chatLogLine(r: ChatResult, maxTokens: number, ms: number): string {
  const s = r.stats;
  const stop = r.stopped ? 'cancelled' : s.generatedTokens >= maxTokens ? 'maxTokens' : 'end';
  return `chat: ${ms} ms (first token ${Math.round(s.firstTokenMs)} ms), prompt ${s.promptTokens} tokens, generated ${s.generatedTokens} of max ${maxTokens}; stop: ${stop}`;
}
