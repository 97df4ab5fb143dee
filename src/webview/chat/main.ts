/**
 * The chat page. Model output is untrusted: it is only ever set as text, never as HTML.
 */
import type { FromWebview, ToWebview } from '../../chat/messages';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const vscode = acquireVsCodeApi();
const conversation = document.getElementById('conversation') as HTMLElement;
const form = document.getElementById('composer') as HTMLFormElement;
const prompt = document.getElementById('prompt') as HTMLTextAreaElement;
const stop = document.getElementById('stop') as HTMLButtonElement;
const newChat = document.getElementById('newChat') as HTMLButtonElement;
const answers = new Map<string, HTMLElement>();

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function addEntry(kind: 'user' | 'assistant' | 'error', text: string): HTMLElement {
  const entry = document.createElement('article');
  entry.className = `entry ${kind}`;
  entry.setAttribute('aria-label', kind === 'user' ? 'You' : kind === 'assistant' ? 'Sovereign' : 'Error');
  const body = document.createElement('div');
  body.className = 'body';
  body.textContent = text;
  entry.append(body);
  conversation.append(entry);
  entry.scrollIntoView({ block: 'end' });
  return body;
}

function setBusy(busy: boolean): void {
  stop.hidden = !busy;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = prompt.value.trim();
  if (!text) return;
  addEntry('user', text);
  prompt.value = '';
  post({ type: 'send', text });
});

prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    form.requestSubmit();
  }
});

stop.addEventListener('click', () => post({ type: 'stop' }));
newChat.addEventListener('click', () => post({ type: 'newChat' }));

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'answerStart': {
      const body = addEntry('assistant', '');
      body.parentElement?.setAttribute('aria-busy', 'true');
      answers.set(m.id, body);
      setBusy(true);
      break;
    }
    case 'answerChunk': {
      const body = answers.get(m.id);
      if (body) {
        body.textContent += m.text;
        body.scrollIntoView({ block: 'end' });
      }
      break;
    }
    case 'answerEnd': {
      const body = answers.get(m.id);
      body?.parentElement?.setAttribute('aria-busy', 'false');
      if (body && m.stopped) body.parentElement?.classList.add('stopped');
      if (body && !m.stopped) body.parentElement?.setAttribute('title', `First token ${m.firstTokenMs} ms, ${m.tokensPerSecond} tokens/s`);
      setBusy(false);
      break;
    }
    case 'error': {
      if (m.id) answers.get(m.id)?.parentElement?.remove();
      const body = addEntry('error', m.message);
      if (m.action) {
        const button = document.createElement('button');
        button.textContent = 'Choose chat model…';
        button.addEventListener('click', () => post({ type: 'action', action: m.action! }));
        body.parentElement?.append(button);
      }
      setBusy(false);
      break;
    }
    case 'cleared':
      conversation.replaceChildren();
      answers.clear();
      setBusy(false);
      break;
  }
});

post({ type: 'ready' });
prompt.focus();
