import * as assert from 'node:assert/strict';
import type { ChatBackend } from '../../src/chat/chatBackend';
import { loggedChatBackend } from '../../src/chat/loggedChatBackend';
import { CancelledError, SovereignError } from '../../src/common/errors';
import { silentLog } from '../../src/common/log';
import type { ChatResult } from '../../src/runtime/protocol';

function backend(answer: () => Promise<ChatResult>): ChatBackend {
  return {
    describe: () => undefined,
    load: () => Promise.reject(new Error('unused')),
    loadedModel: () => undefined,
    countTokens: () => Promise.resolve([]),
    chatPromptTokens: () => Promise.resolve(0),
    chat: () => answer(),
    onDidChange: () => ({ dispose() {} }),
  };
}

describe('loggedChatBackend: one debug line per chat answer', () => {
  it('says the latency, tokens and why it stopped; failures and cancellations too', async () => {
    const lines: string[] = [];
    const log = { ...silentLog, debug: (m: string) => lines.push(m) };
    let t = 0;
    const now = () => (t += 100);
    const result = (generatedTokens: number, stopped = false): ChatResult => ({ text: 'hi', stopped, stats: { promptTokens: 412, generatedTokens, firstTokenMs: 81.6, totalMs: 90 } });
    const answers: (() => Promise<ChatResult>)[] = [
      () => Promise.resolve(result(12)),
      () => Promise.resolve(result(48)),
      () => Promise.resolve(result(3, true)),
      () => Promise.reject(new SovereignError('modelNotFound', 'Model file not found: /x.gguf')),
      () => Promise.reject(new CancelledError()),
    ];
    const logged = loggedChatBackend(backend(() => answers.shift()!()), log, now);
    for (let i = 0; i < 5; i++) await logged.chat([{ role: 'user', content: 'q' }], { maxTokens: 48, onText() {} }).catch(() => undefined);
    assert.deepEqual(lines, [
      'chat: 100 ms (first token 82 ms), prompt 412 tokens, generated 12 of max 48; stop: end',
      'chat: 100 ms (first token 82 ms), prompt 412 tokens, generated 48 of max 48; stop: maxTokens',
      'chat: 100 ms (first token 82 ms), prompt 412 tokens, generated 3 of max 48; stop: cancelled',
      'chat: failed after 100 ms: Model file not found: /x.gguf',
      'chat: cancelled after 100 ms',
    ]);
  });
});
