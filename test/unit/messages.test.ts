import * as assert from 'node:assert/strict';
import { isFromWebview } from '../../src/chat/messages';

describe('chat webview messages', () => {
  it('accepts every well-formed message', () => {
    for (const m of [{ type: 'ready' }, { type: 'send', text: 'hi' }, { type: 'stop' }, { type: 'newChat' }, { type: 'action', action: 'chooseChatModel' }]) {
      assert.ok(isFromWebview(m), JSON.stringify(m));
    }
  });

  it('rejects malformed or unknown messages from the page', () => {
    for (const m of [null, 'ready', {}, { type: 'send' }, { type: 'send', text: 3 }, { type: 'action', action: 'rm -rf' }, { type: 'eval' }]) {
      assert.ok(!isFromWebview(m), JSON.stringify(m));
    }
  });
});
