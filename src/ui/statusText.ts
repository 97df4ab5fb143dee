/**
 * What the status bar item says, in the user's words. It tells two stories side by side,
 * completion's and chat's, so that one failing never hides the other's state; the item's icon and
 * colour follow the more urgent of the two. Pure: statusBar.ts gathers the facts from VS Code.
 */
import { describeRefusal, type Refusal } from '../common/contentPolicy';
import type { RequestCounters } from '../completion/completionPipeline';
import type { CompletionStats } from '../runtime/protocol';

/** One role's model: none configured, configured and not loaded yet, loading, loaded, or failed. */
export type ModelState =
  | { kind: 'none' }
  | { kind: 'idle'; name: string }
  | { kind: 'loading'; name: string }
  | { kind: 'ready'; name: string; detail?: string; /** Threads it was loaded with (the most it uses). */ threads?: number }
  | { kind: 'error'; message: string };

/** Why completion is off in the active editor. */
export type OffHere =
  /** `sovereign.completion.enabled` is off: everywhere, not only here. */
  | { kind: 'disabled' }
  /** `sovereign.completion.languages` turns the editor's language off. */
  | { kind: 'language'; languageId: string }
  /** The content policy refuses the file (a secret, files.exclude, binary). */
  | { kind: 'excluded'; file: string; reason: Refusal };

export interface StatusFacts {
  /** This machine's worker, or the team server (`sovereign.backend`). */
  backend: { kind: 'local' } | { kind: 'server'; url: string; state: 'idle' | 'ready' | 'error'; model?: string; error?: string };
  /** The worker itself failed (crashed too often): both roles wait on it. */
  runtimeError?: string;
  completion: {
    paused: boolean;
    /** Undefined where completion is on in the active editor, or no editor is active. */
    offHere?: OffHere;
    model: ModelState;
    last?: CompletionStats;
    counters: RequestCounters;
  };
  chat: { model: ModelState };
}

export type Severity = 'normal' | 'warning' | 'error';

export interface StatusSection {
  title: string;
  lines: string[];
}

export interface StatusView {
  /** The item's text, with a codicon: completion's own state (`Sovereign: off here`). */
  text: string;
  /** The more urgent of the two stories: red for a failure of either. */
  severity: Severity;
  /** The tooltip: Completion, Chat (and the server or runtime when they fail). */
  sections: StatusSection[];
}

export function statusView(f: StatusFacts): StatusView {
  const server = f.backend.kind === 'server' ? f.backend : undefined;
  const completion = completionStory(f);
  const chat = chatStory(f);
  const sections: StatusSection[] = [];
  if (server) sections.push({ title: `Team server ${server.url || '(sovereign.server.url is not set)'}`, lines: [serverLine(server)] });
  if (f.runtimeError) sections.push({ title: 'Runtime', lines: [f.runtimeError] });
  sections.push({ title: 'Completion', lines: completion.lines }, { title: 'Chat', lines: chat.lines });

  const failed = !!f.runtimeError || server?.state === 'error' || completion.failed || chat.failed;
  const severity: Severity = failed ? 'error' : completion.needsModel ? 'warning' : 'normal';
  const icon = failed ? '$(error)' : completion.icon;
  return { text: `${icon} Sovereign${completion.label}`, severity, sections };
}

/** The tooltip as one line of plain text (the screen reader's label). */
export function plainStatus(view: StatusView): string {
  return view.sections.map((s) => `${s.title}: ${s.lines.join(' ')}`).join(' ');
}

interface Story {
  lines: string[];
  failed: boolean;
}

function completionStory(f: StatusFacts): Story & { label: string; icon: string; needsModel: boolean } {
  const c = f.completion;
  const server = f.backend.kind === 'server' ? f.backend : undefined;
  const lines: string[] = [];
  const off = c.offHere;
  if (off) lines.push(offHereLine(off));
  const needsModel = server ? !server.url.trim() : c.model.kind === 'none';
  if (needsModel) lines.push(server ? 'No team server is set (sovereign.server.url).' : 'No completion model yet. Click to choose one.');
  if (c.paused) lines.push('Completions paused. Click to resume.');
  const failed = c.model.kind === 'error';
  if (!server && !needsModel) lines.push(modelLine(c.model, 'loads on first use'));
  if (c.last && !needsModel) lines.push(lastLine(c.last, c.model.kind === 'ready' ? c.model.threads : undefined));
  const counts = countersLine(c.counters);
  if (counts) lines.push(counts);

  // The item's text says what holds here first: this file, then the setup, then the moment.
  const ready = server ? server.state === 'ready' : c.model.kind === 'ready';
  const [label, icon] = off
    ? [off.kind === 'disabled' ? ': off' : ': off here', '$(circle-slash)']
    : needsModel
      ? [': no model', '$(warning)']
      : c.paused
        ? [': paused', '$(debug-pause)']
        : c.model.kind === 'loading'
          ? ['', '$(loading~spin)']
          : [ready && c.last ? ` ${c.last.totalMs} ms` : '', server ? '$(remote)' : ready ? '$(check)' : '$(circle-outline)'];
  return { lines, failed, label, icon, needsModel };
}

function chatStory(f: StatusFacts): Story {
  if (f.backend.kind === 'server') return { lines: [f.backend.model ? `Answered by ${f.backend.model} on the team server.` : 'Answered by the team server.'], failed: false };
  const m = f.chat.model;
  if (m.kind === 'none') return { lines: ['No chat model yet: choose one with "Select chat model…" in this menu.'], failed: false };
  return { lines: [modelLine(m, 'loads when you send a message')], failed: m.kind === 'error' };
}

function offHereLine(off: OffHere): string {
  switch (off.kind) {
    case 'disabled':
      return 'Off everywhere: sovereign.completion.enabled is false.';
    case 'language':
      return `Off for ${off.languageId} files (sovereign.completion.languages).`;
    case 'excluded':
      return `Off in this file: ${off.file} ${describeRefusal(off.reason)}, so it is never sent to a model.`;
  }
}

function modelLine(m: ModelState, whenIdle: string): string {
  switch (m.kind) {
    case 'none':
      return 'No model configured.';
    case 'idle':
      return `${m.name} ${whenIdle}.`;
    case 'loading':
      return `Loading ${m.name}…`;
    case 'ready':
      return `${m.name} is loaded${m.detail ? ` (${m.detail})` : ''}.`;
    case 'error':
      return `Failed: ${m.message}`;
  }
}

function serverLine(s: Extract<StatusFacts['backend'], { kind: 'server' }>): string {
  if (s.state === 'error') return s.error ?? 'The last request failed.';
  if (s.state === 'idle') return 'Not contacted yet.';
  return s.model ? `Answering with ${s.model}.` : 'Answering.';
}

const stopWords: Record<CompletionStats['stop'], string> = {
  eog: 'the model finished',
  maxTokens: 'the token limit was reached (sovereign.completion.maxTokens)',
  timeBudget: 'the time budget ran out (sovereign.completion.timeBudgetMs)',
  indent: 'the block ended',
  singleLine: 'the line ended',
  stopToken: 'a stop sequence came',
  warmup: 'warm-up only',
};

/**
 * "Last suggestion in 412 ms: reused 813 tokens from the last request, read 20 new, wrote 14 on 1
 * thread of 2 (other programs keep the cores busy); stopped as the line ended."
 */
export function lastLine(s: CompletionStats, loadedThreads?: number): string {
  const read = s.reusedTokens > 0 ? `reused ${plural(s.reusedTokens, 'token')} from the last request, read ${s.evaluatedTokens} new` : `read ${plural(s.evaluatedTokens, 'token')} of context`;
  const busy = s.threads !== undefined && loadedThreads !== undefined && s.threads < loadedThreads;
  const threads = s.threads === undefined ? '' : ` on ${plural(s.threads, 'thread')}${busy ? ` of ${loadedThreads} (other programs keep the cores busy)` : ''}`;
  return `Last suggestion in ${s.totalMs} ms: ${read}, wrote ${s.generatedTokens}${threads}; stopped as ${stopWords[s.stop]}.`;
}

/** "So far: 12 suggestions from the model, 5 reused from cache, …"; nothing before the first request. */
export function countersLine(c: RequestCounters): string | undefined {
  if (!c.modelCalls && !c.cacheHits && !c.typeThroughHits && !c.speculativeCalls && !c.cancelled) return undefined;
  return (
    `So far: ${plural(c.modelCalls, 'suggestion')} from the model, ${c.cacheHits} reused from cache, ${c.typeThroughHits} kept while you typed them, ` +
    `${c.speculativeCalls} prepared ahead of you, ${c.cancelled} dropped as you typed on.`
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
