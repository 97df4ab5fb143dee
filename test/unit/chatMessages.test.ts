import * as assert from 'node:assert/strict';
import { isFromWebview, isWebUrl } from '../../src/chat/messages';

describe('chat webview messages (the page is the untrusted side)', () => {
  it('accepts every well-formed message', () => {
    const ok = [
      { type: 'ready' },
      { type: 'send', text: 'hi' },
      { type: 'stop' },
      { type: 'newChat' },
      { type: 'history' },
      { type: 'addFile' },
      { type: 'action', action: 'chooseChatModel' },
      { type: 'code', action: 'copy', code: 'x' },
      { type: 'code', action: 'insert', code: '' },
      { type: 'code', action: 'applyDiff', code: 'y' },
      { type: 'openLink', url: 'https://example.com/a?b=c' },
      { type: 'openLink', url: 'http://localhost:8080/' },
      { type: 'removeChip', id: 'active' },
      { type: 'continue', id: 'a1' },
      { type: 'includeActiveFile', value: false },
    ];
    for (const m of ok) assert.ok(isFromWebview(m), JSON.stringify(m));
  });

  it('rejects malformed messages, unknown actions and non-web links', () => {
    const bad = [
      null,
      'ready',
      {},
      { type: 'send' },
      { type: 'send', text: 3 },
      { type: 'continue' },
      { type: 'action', action: 'rm -rf' },
      { type: 'code', action: 'eval', code: 'x' },
      { type: 'code', action: 'copy' },
      { type: 'openLink', url: 'javascript:alert(1)' },
      { type: 'openLink', url: 'JAVASCRIPT:alert(1)' },
      { type: 'openLink', url: 'command:workbench.action.terminal.new' },
      { type: 'openLink', url: 'file:///etc/passwd' },
      { type: 'openLink', url: 'vscode://settings' },
      { type: 'openLink', url: 'data:text/html,<script>' },
      { type: 'openLink', url: '//evil.example' },
      { type: 'removeChip', id: 1 },
      { type: 'includeActiveFile', value: 'yes' },
      { type: 'eval' },
    ];
    for (const m of bad) assert.ok(!isFromWebview(m), JSON.stringify(m));
  });

  it('isWebUrl is http(s) with a host only', () => {
    assert.ok(isWebUrl('https://code.visualstudio.com/api'));
    assert.ok(!isWebUrl('https://'));
    assert.ok(!isWebUrl(' javascript:alert(1)'));
    assert.ok(!isWebUrl('java\tscript:alert(1)'));
  });
});
