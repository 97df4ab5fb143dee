/**
 * The chat page. Model output and user text are both rendered by `renderMarkdown` (markdown-it,
 * then DOMPurify); nothing else ever becomes HTML. Everything the buttons do happens in the host.
 */
import type { CodeAction, FromWebview, ToWebview, TranscriptEntry } from '../../chat/messages';
import { mentionsWorkspace } from '../../chat/workspaceQuery';
import { linkCitations, locationOf, sourcesList } from './citationLinks';
import { renderContextBar } from './contextBar';
import { renderMarkdown } from './markdown';
import { renderSetupNotice } from './setupNotice';
import { StreamRenderer } from './streamRenderer';

declare function acquireVsCodeApi(): { postMessage(message: FromWebview): void };

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const conversation = $<HTMLElement>('conversation');
const form = $<HTMLFormElement>('composer');
const prompt = $<HTMLTextAreaElement>('prompt');
const stop = $<HTMLButtonElement>('stop');
const send = $<HTMLButtonElement>('send');
const chips = $<HTMLUListElement>('chips');
const total = $<HTMLElement>('contextTotal');
const includeActive = $<HTMLInputElement>('includeActive');
const useWorkspace = $<HTMLInputElement>('useWorkspace');
const status = $<HTMLElement>('status');
const answers = new Map<string, { entry: HTMLElement; renderer: StreamRenderer }>();
let lastQuestion = '';
/**
 * Questions sent that the host has not started answering yet. A transcript posted before the host
 * read them (it answers the page's `ready` first, and a busy extension host can do so late) does
 * not hold them, and must not wipe them from view.
 */
const unanswered: string[] = [];
let draftTimer = 0;
let draftAsked = false;

/** While the message asks @workspace, the host retrieves for it and the chips show what it would send. */
function postDraftSoon(): void {
  clearTimeout(draftTimer);
  draftTimer = window.setTimeout(() => {
    const asks = useWorkspace.checked || mentionsWorkspace(prompt.value);
    // Once more after it stops asking, so the chips of the last retrieval go.
    if (asks || draftAsked) post({ type: 'draft', text: asks ? prompt.value : '' });
    draftAsked = asks;
  }, 250);
}

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function nearBottom(): boolean {
  return conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight < 40;
}

/** Keeps the newest text in view unless the user scrolled up to read. */
function followIf(wasNearBottom: boolean): void {
  if (wasNearBottom) conversation.scrollTop = conversation.scrollHeight;
}

function addEntry(kind: 'user' | 'assistant' | 'error' | 'note', text: string, before?: HTMLElement): { entry: HTMLElement; body: HTMLElement } {
  const follow = nearBottom();
  const entry = document.createElement('article');
  entry.className = `entry ${kind}`;
  entry.setAttribute('aria-label', { user: 'You', assistant: 'Sovereign', error: 'Error', note: 'Note' }[kind]);
  const body = document.createElement('div');
  body.className = 'body';
  if (kind === 'user' || kind === 'assistant') body.append(renderMarkdown(text));
  else body.textContent = text;
  entry.append(body);
  if (before?.isConnected) conversation.insertBefore(entry, before);
  else conversation.append(entry);
  followIf(follow);
  return { entry, body };
}

function startAnswer(id: string, text = ''): HTMLElement {
  const { entry, body } = addEntry('assistant', '');
  const renderer = new StreamRenderer(body, () => undefined);
  answers.set(id, { entry, renderer });
  if (text) {
    renderer.append(text);
    renderer.flush();
  }
  return entry;
}

function setContextLabels(entry: Element | null | undefined, context: string[] | undefined): void {
  if (!entry || !context?.length) return;
  entry.querySelector('.context-labels')?.remove();
  const labels = document.createElement('div');
  labels.className = 'context-labels';
  labels.textContent = `With ${context.join(', ')}`;
  entry.append(labels);
}

/** Under an answer that reached sovereign.chat.maxTokens: says so, and "Continue" writes on. */
function cutNotice(id: string): HTMLElement {
  const notice = document.createElement('div');
  notice.className = 'cut-notice';
  notice.setAttribute('role', 'note');
  const text = document.createElement('span');
  text.textContent = 'The answer reached its length limit (sovereign.chat.maxTokens). ';
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.continue = id;
  button.textContent = 'Continue';
  notice.append(text, button);
  return notice;
}

function setBusy(busy: boolean): void {
  stop.hidden = !busy;
  send.hidden = busy;
}

function announce(text: string): void {
  status.textContent = text;
}

function showTranscript(entries: TranscriptEntry[]): void {
  conversation.replaceChildren();
  answers.clear();
  let stored = 0;
  for (const e of entries) {
    if (e.role === 'assistant') {
      // An answer still streaming keeps its id, so its next chunks land in it.
      const entry = startAnswer(e.answering ?? `t${stored++}`, e.text);
      entry.setAttribute('aria-busy', e.answering ? 'true' : 'false');
      if (e.stopped) entry.classList.add('stopped');
    } else {
      const { entry } = addEntry(e.role, e.text);
      setContextLabels(entry, e.context);
    }
  }
  for (const question of unanswered) addEntry('user', question);
  conversation.scrollTop = conversation.scrollHeight;
  setBusy(entries.some((e) => e.answering !== undefined));
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = prompt.value.trim();
  if (!text) return;
  addEntry('user', text);
  unanswered.push(text);
  lastQuestion = text;
  prompt.value = '';
  clearTimeout(draftTimer);
  draftAsked = false;
  post({ type: 'send', text });
});

prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  } else if (e.key === 'Escape' && !stop.hidden) {
    e.preventDefault();
    post({ type: 'stop' });
  } else if (e.key === 'ArrowUp' && !prompt.value && lastQuestion) {
    e.preventDefault();
    prompt.value = lastQuestion;
  }
});

// "@" typed as a word of its own opens the file picker (VS Code's quick pick) instead.
prompt.addEventListener('input', (e) => {
  postDraftSoon();
  const input = e as InputEvent;
  if (input.data !== '@') return;
  const at = prompt.selectionStart - 1;
  if (at > 0 && !/\s/.test(prompt.value[at - 1])) return;
  prompt.value = prompt.value.slice(0, at) + prompt.value.slice(at + 1);
  prompt.setSelectionRange(at, at);
  post({ type: 'addFile' });
});

stop.addEventListener('click', () => post({ type: 'stop' }));
$('newChat').addEventListener('click', () => post({ type: 'newChat' }));
$('history').addEventListener('click', () => post({ type: 'history' }));
$('addFile').addEventListener('click', () => post({ type: 'addFile' }));
includeActive.addEventListener('change', () => post({ type: 'includeActiveFile', value: includeActive.checked }));
useWorkspace.addEventListener('change', () => {
  post({ type: 'useWorkspace', value: useWorkspace.checked });
  postDraftSoon();
});
chips.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const id = target.closest<HTMLElement>('[data-remove-chip]')?.dataset.removeChip;
  if (id) return post({ type: 'removeChip', id });
  const cited = target.closest<HTMLElement>('[data-cite-path]');
  const location = cited && locationOf(cited);
  if (location) post({ type: 'openLocation', location });
});
chips.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  const location = (e.key === 'Enter' || e.key === ' ') && target.dataset.citePath ? locationOf(target) : undefined;
  if (!location) return;
  e.preventDefault();
  post({ type: 'openLocation', location });
});

// One listener for every rendered answer: code-block buttons and links.
function activate(target: HTMLElement): boolean {
  const button = target.closest<HTMLButtonElement>('button[data-code-action]');
  if (button) {
    const code = button.closest('.code-block')?.querySelector('pre')?.textContent ?? '';
    post({ type: 'code', action: button.dataset.codeAction as CodeAction, code: code.replace(/\n$/, '') });
    if (button.dataset.codeAction === 'copy') announce('Code copied');
    return true;
  }
  const cited = target.closest<HTMLElement>('[data-cite-path]');
  const location = cited && locationOf(cited);
  if (location) {
    post({ type: 'openLocation', location });
    return true;
  }
  const link = target.closest<HTMLElement>('[data-href]');
  if (link?.dataset.href) {
    post({ type: 'openLink', url: link.dataset.href });
    return true;
  }
  const more = target.closest<HTMLButtonElement>('button[data-continue]');
  if (more?.dataset.continue) {
    more.disabled = true;
    post({ type: 'continue', id: more.dataset.continue });
    return true;
  }
  const action = target.closest<HTMLButtonElement>('button[data-action]');
  if (action) {
    post({ type: 'action', action: 'chooseChatModel' });
    return true;
  }
  return false;
}
conversation.addEventListener('click', (e) => {
  if (activate(e.target as HTMLElement)) e.preventDefault();
});
conversation.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if ((e.key === 'Enter' || e.key === ' ') && (target.dataset.href || target.dataset.citePath) && activate(target)) e.preventDefault();
});

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'answerStart': {
      const continued = m.continues ? answers.get(m.id) : undefined;
      if (continued) {
        // "Continue": the same answer goes on, in the same entry; what said it was cut goes.
        continued.entry.classList.remove('cut');
        continued.entry.querySelectorAll('.stats, .cut-notice').forEach((e) => e.remove());
        continued.entry.setAttribute('aria-busy', 'true');
      } else {
        unanswered.shift();
        // Only the last answer can be continued (the host keeps only that one).
        conversation.querySelectorAll('.cut-notice button').forEach((e) => e.remove());
        startAnswer(m.id).setAttribute('aria-busy', 'true');
      }
      setBusy(true);
      break;
    }
    case 'answerChunk': {
      const answer = answers.get(m.id);
      if (!answer) break;
      const follow = nearBottom();
      answer.renderer.append(m.text);
      requestAnimationFrame(() => followIf(follow));
      break;
    }
    case 'answerEnd': {
      const answer = answers.get(m.id);
      if (answer) {
        const follow = nearBottom();
        answer.renderer.flush();
        answer.entry.setAttribute('aria-busy', 'false');
        if (m.stopped) answer.entry.classList.add('stopped');
        if (m.stopped && !answer.renderer.value) answer.entry.remove();
        if (!m.stopped) {
          const stats = document.createElement('div');
          stats.className = 'stats';
          stats.textContent = `First token ${m.firstTokenMs} ms · ${m.tokensPerSecond} tokens/s`;
          answer.entry.append(stats);
        }
        if (m.cut) answer.entry.append(cutNotice(m.id));
        answer.entry.classList.toggle('cut', !!m.cut);
        followIf(follow);
      }
      announce(m.stopped ? 'Answer stopped' : m.cut ? 'Answer cut at its length limit: Continue goes on' : 'Answer complete');
      setBusy(false);
      break;
    }
    case 'questionContext': {
      // The question is the nearest user entry above the answer (notes may sit between them).
      let question = answers.get(m.id)?.entry.previousElementSibling;
      while (question && !question.classList.contains('user')) question = question.previousElementSibling;
      setContextLabels(question, m.context);
      break;
    }
    case 'sources': {
      const answer = answers.get(m.id);
      if (!answer) break;
      answer.entry.querySelector('.sources')?.remove();
      // Right under the answer's text, above its stats.
      answer.entry.querySelector('.body')?.after(sourcesList(m.sources));
      break;
    }
    case 'citations': {
      const body = answers.get(m.id)?.entry.querySelector<HTMLElement>('.body');
      if (body) linkCitations(body, new Set(m.paths));
      break;
    }
    case 'insertText': {
      const at = prompt.selectionStart;
      prompt.setRangeText(m.text, at, prompt.selectionEnd, 'end');
      prompt.focus();
      postDraftSoon();
      break;
    }
    case 'note':
      addEntry('note', m.text, m.before ? answers.get(m.before)?.entry : undefined).entry.setAttribute('role', 'note');
      break;
    case 'error': {
      const answer = m.id ? answers.get(m.id) : undefined;
      if (answer) {
        answer.renderer.flush();
        answer.entry.setAttribute('aria-busy', 'false');
        if (answer.renderer.value) answer.entry.classList.add('stopped');
        else answer.entry.remove();
      }
      const { entry } = addEntry('error', m.message);
      entry.setAttribute('role', 'alert');
      if (m.action) {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.action = m.action;
        button.textContent = 'Choose chat model…';
        entry.append(button);
      }
      setBusy(false);
      break;
    }
    case 'cleared':
      showTranscript([]);
      announce('New chat');
      prompt.focus();
      break;
    case 'transcript':
      showTranscript(m.entries);
      break;
    case 'context':
      renderContextBar(chips, total, { includeActive, useWorkspace }, m.summary);
      break;
    case 'focusPrompt':
      prompt.focus();
      break;
    case 'chatModel':
      renderSetupNotice($('setup'), m.configured, () => post({ type: 'action', action: 'chooseChatModel' }));
      break;
  }
});

post({ type: 'ready' });
prompt.focus();
