import * as vscode from 'vscode';
import { Commands } from '../commands';
import { describeRefusal, type Verdict } from '../common/contentPolicy';
import { errorMessage, isCancelled, modelProblemKinds, SovereignError, type ErrorKind } from '../common/errors';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { chatSettings } from '../config/chatSettings';
import { SettingKeys, type SettingKey } from '../config/settingKeys';
import type { ChatBackend } from './chatBackend';
import type { ChatMessage } from '../runtime/protocol';
import type { CodeProposals } from './codeProposals';
import type { CollectedContext, ContextAttachments } from './contextAttachments';
import type { Conversation, ConversationStore } from './conversationStore';
import { isWebUrl, type ContextChip, type FromWebview, type SourceLocation, type ToWebview } from './messages';
import { estimateTokenCounts, prepareChat, type PreparedChat } from './prepareChat';
import { TokenCountCache } from './tokenCountCache';
import { transcriptOf, type LiveExchange } from './transcript';
import type { WorkspaceContext } from './workspaceContext';
import { mentionsWorkspace, withoutMention } from './workspaceQuery';

/** Where the controller's messages go: the chat view, once its page said `ready`. */
export interface ChatSurface {
  post(message: ToWebview): void;
  reveal(): Promise<void>;
  readonly visible: boolean;
}

/** Errors a different model file fixes: the view offers "Choose chat model…". */
const modelProblems: readonly ErrorKind[] = ['noModel', 'insufficientMemory', ...modelProblemKinds];
const currentKey = 'sovereign.chat.current';
/** The settings that decide whether any chat model is configured (`ChatBackend.describe`). */
const chatModelKeys: readonly SettingKey[] = [SettingKeys.chatModelPath, SettingKeys.backend, SettingKeys.serverUrl, SettingKeys.serverChatModel];

/**
 * The chat itself: the current conversation, answering (one at a time, stoppable), what is
 * attached, and what the page's buttons ask for. The view only carries messages.
 */
export class ChatController implements vscode.Disposable {
  private conversation: Conversation;
  private answering: AbortController | undefined;
  /** The exchange being answered, until the conversation stores it. */
  private live: { conversation: Conversation; exchange: LiveExchange } | undefined;
  private answerCounter = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshSeq = 0;
  private readonly counts = new TokenCountCache();
  private chatModelSeen: string | undefined;
  private lastMeasure = { key: '', tokens: 0 };
  /** The answer of the current conversation that stopped at its token limit, while it is the last one. */
  private lastCut: string | undefined;
  /** The message being typed, while it asks @workspace (the chips show what it retrieves). */
  private draft = '';
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly surface: ChatSurface,
    private readonly backend: ChatBackend,
    private readonly config: Config,
    private readonly log: Log,
    private readonly store: ConversationStore,
    private readonly state: vscode.Memento,
    readonly attachments: ContextAttachments,
    private readonly proposals: CodeProposals,
    private readonly workspace: WorkspaceContext,
  ) {
    const current = state.get<string>(currentKey);
    this.conversation = (current && store.get(current)) || store.create();
    this.subscriptions.push(
      attachments.onDidChange(() => this.scheduleRefresh(300)),
      config.onDidChange(chatModelKeys, () => this.postChatModel()),
      // Completions change the state all the time: only a chat model coming or going matters here.
      backend.onDidChange(() => {
        const loaded = backend.loadedModel()?.id;
        if (loaded === this.chatModelSeen) return;
        this.chatModelSeen = loaded;
        this.scheduleRefresh(300);
      }),
    );
  }

  dispose(): void {
    this.answering?.abort();
    clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  /** The page (re)loaded: give it the whole state. */
  onReady(): void {
    this.postTranscript();
    this.postChatModel();
    this.scheduleRefresh(0);
  }

  onViewClosed(): void {
    this.answering?.abort();
  }

  /** Chips are only worked out while someone can see them. */
  onViewVisible(): void {
    this.scheduleRefresh(0);
  }

  async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.onReady();
      case 'send':
        return this.answer(m.text);
      case 'stop':
        this.answering?.abort();
        return;
      case 'continue':
        return this.continueAnswer(m.id);
      case 'newChat':
        return this.newChat();
      case 'history':
        return this.showHistory();
      case 'action':
        await vscode.commands.executeCommand(Commands.selectChatModel);
        return;
      case 'code':
        return this.codeAction(m.action, m.code);
      case 'openLink':
        // Checked twice (the page is the untrusted side); VS Code asks before opening an unknown domain.
        if (isWebUrl(m.url)) await vscode.env.openExternal(vscode.Uri.parse(m.url, true));
        return;
      case 'addFile':
        return this.pickFiles();
      case 'removeChip':
        return this.attachments.remove(m.id);
      case 'includeActiveFile':
        return this.attachments.setIncludeActiveFile(m.value);
      case 'useWorkspace':
        await this.workspace.setAlwaysOn(m.value);
        return this.scheduleRefresh(0);
      case 'draft':
        this.draft = m.text;
        return this.scheduleRefresh(0);
      case 'openLocation':
        return this.workspace.open(m.location);
    }
  }

  async newChat(): Promise<void> {
    this.answering?.abort();
    this.conversation = this.store.create();
    this.lastCut = undefined;
    await this.state.update(currentKey, undefined);
    this.surface.post({ type: 'cleared' });
    this.scheduleRefresh(0);
  }

  async open(id: string): Promise<void> {
    const found = this.store.get(id);
    if (!found) return;
    this.answering?.abort();
    this.conversation = found;
    this.lastCut = undefined;
    await this.state.update(currentKey, id);
    await this.surface.reveal();
    this.postTranscript();
    this.scheduleRefresh(0);
  }

  /** Saved conversations, newest first: Enter reopens one, the trash button deletes it. */
  async showHistory(): Promise<void> {
    const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete this chat' };
    type Item = vscode.QuickPickItem & { id: string };
    const items = (): Item[] =>
      this.store.list().map((c) => ({
        id: c.id,
        label: c.title,
        description: new Date(c.updatedAt).toLocaleString(),
        detail: `${c.messages.length} messages${c.id === this.conversation.id ? ' · open now' : ''}`,
        buttons: [deleteButton],
      }));
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = 'Sovereign: Chats in this workspace';
    pick.placeholder = items().length ? 'Reopen a chat (the trash button deletes it)' : 'No saved chats yet';
    pick.items = items();
    const done = new Promise<void>((resolve) => {
      pick.onDidTriggerItemButton(async ({ item }) => {
        await this.store.delete(item.id);
        if (item.id === this.conversation.id) await this.newChat();
        pick.items = items();
      });
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0];
        pick.hide();
        if (chosen) void this.open(chosen.id);
      });
      pick.onDidHide(() => resolve());
    });
    pick.show();
    await done;
    pick.dispose();
  }

  async chatAboutFile(uri: vscode.Uri | undefined): Promise<void> {
    const target = uri ?? this.attachments.editor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Open a file first: there is no file to chat about.');
      return;
    }
    if (this.refused(this.attachments.addFile(target), target)) return;
    await this.surface.reveal();
    this.surface.post({ type: 'focusPrompt' });
  }

  async askAboutSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor ?? this.attachments.editor;
    if (!editor) return;
    if (this.refused(this.attachments.addSelection(editor), editor.document.uri)) return;
    await this.surface.reveal();
    this.surface.post({ type: 'focusPrompt' });
  }

  /** "@" in the prompt: @workspace, and the workspace files, what the content policy refuses left out. */
  async pickFiles(): Promise<void> {
    const files = await this.attachments.pickableFiles();
    const items = files
      .map((uri) => {
        const rel = vscode.workspace.asRelativePath(uri, false);
        const slash = rel.lastIndexOf('/');
        return { label: rel.slice(slash + 1), description: slash > 0 ? rel.slice(0, slash) : '', uri };
      })
      .sort((a, b) => a.label.localeCompare(b.label));
    // First: the mention, so "@" then "workspace" then Enter asks the codebase (VS Code's own chat lists its participants the same way).
    const mention: vscode.QuickPickItem & { uri?: vscode.Uri } = { label: '@workspace', description: 'Ask about your codebase: the best matches of the codebase index go with the message' };
    const picked = await pickMany<vscode.QuickPickItem & { uri?: vscode.Uri }>([mention, ...items], 'Sovereign: Add files to the chat context', 'Type to filter, Enter adds the highlighted file (or the checked ones); secret files are never listed');
    if (picked.includes(mention)) this.surface.post({ type: 'insertText', text: '@workspace ' });
    for (const p of picked) if (p.uri) this.attachments.addFile(p.uri);
    this.surface.post({ type: 'focusPrompt' });
  }

  /** What the view shows now (for the integration tests). */
  snapshot(): { visible: boolean; attached: string[]; conversationId: string; messages: number } {
    return { visible: this.surface.visible, attached: this.attachments.labels(), conversationId: this.conversation.id, messages: this.conversation.messages.length };
  }

  private refused(verdict: Verdict, uri: vscode.Uri): boolean {
    if (verdict.allowed) return false;
    const name = uri.path.split('/').pop();
    void vscode.window.showWarningMessage(`Sovereign never sends ${name} to a model: it ${describeRefusal(verdict.reason)}.`);
    return true;
  }

  private async codeAction(action: 'copy' | 'insert' | 'applyDiff', code: string): Promise<void> {
    if (action === 'copy') {
      await vscode.env.clipboard.writeText(code);
      vscode.window.setStatusBarMessage('$(check) Code copied', 2000);
      return;
    }
    const editor = this.attachments.editor;
    if (!editor || editor.document.isClosed) {
      void vscode.window.showInformationMessage('Open a file first: there is no editor to put the code in.');
      return;
    }
    if (action === 'applyDiff') return this.proposals.propose(editor, code);
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection });
    await shown.edit((b) => b.replace(shown.selection, code));
  }

  /**
   * What a message would carry: the attachments, and for an @workspace question (the mention, or
   * the toggle) the index's chunks for it, after the files the user added and before the active file.
   */
  async collect(question: string, windowTokens: number, earlier: readonly ChatMessage[]): Promise<CollectedContext> {
    const collected = await this.attachments.collect(windowTokens);
    if (!this.workspace.alwaysOn && !mentionsWorkspace(question)) return collected;
    const earlierQuestions = earlier.filter((m) => m.role === 'user').map((m) => m.content);
    const chunks = await this.workspace.retrieve(question, earlierQuestions, windowTokens).catch((e: unknown) => {
      this.log.warn(`@workspace retrieval failed: ${errorMessage(e)}`);
      return [];
    });
    const chosen = collected.attachments.filter((a) => !a.automatic);
    const automatic = collected.attachments.filter((a) => a.automatic);
    // A file the user attached goes whole (it is sized first): its chunks would say it twice.
    const whole = new Set(chosen.filter((a) => a.kind === 'file').map((a) => a.label));
    return { ...collected, attachments: [...chosen, ...chunks.filter((c) => !whole.has(c.location.path)), ...automatic] };
  }

  private answer(text: string): Promise<void> {
    if (!text.trim()) return Promise.resolve();
    this.draft = '';
    const conversation = this.conversation;
    return this.generate(conversation, { id: `a${++this.answerCounter}`, question: text, earlier: historyOf(conversation) });
  }

  /** "Continue" under an answer cut at its token limit: the model writes on from where it stopped. */
  private continueAnswer(id: string): Promise<void> {
    const conversation = this.conversation;
    const [question, answer] = conversation.messages.slice(-2);
    if (this.answering || this.lastCut !== id || question?.role !== 'user' || answer?.role !== 'assistant') return Promise.resolve();
    const earlier = historyOf(conversation).slice(0, -2);
    return this.generate(conversation, { id, question: question.content, earlier, partial: answer.content });
  }

  /**
   * Answers `turn.question`, or continues `turn.partial`, its answer so far: the question and that
   * answer then go as the last exchange, which the fit always keeps, and the model extends the answer.
   */
  private async generate(conversation: Conversation, turn: { id: string; question: string; earlier: ChatMessage[]; partial?: string }): Promise<void> {
    this.answering?.abort();
    this.lastCut = undefined;
    const controller = new AbortController();
    this.answering = controller;
    const signal = controller.signal;
    const { id, question } = turn;
    const continuing = turn.partial !== undefined;
    let context: string[] = [];
    this.surface.post({ type: 'answerStart', id, continues: continuing || undefined });
    const live: LiveExchange = { id, question: continuing ? undefined : question, text: '' };
    this.live = { conversation, exchange: live };
    const keep = (text: string, stopped: boolean) => {
      // The conversation holds it from here (`remember` and `extend` change it before they save).
      this.endLive(live);
      return continuing ? this.extend(conversation, text, stopped) : this.remember(conversation, question, context, text, stopped);
    };
    try {
      const info = await this.backend.load(signal);
      const collected = await this.collect(question, info.contextSize, turn.earlier);
      const retrieved = collected.attachments.filter((a) => a.kind === 'chunk');
      const history: ChatMessage[] = continuing ? [...turn.earlier, { role: 'user', content: question }, { role: 'assistant', content: turn.partial! }] : turn.earlier;
      const prepared = await prepareChat({
        history,
        question: continuing ? '' : mentionsWorkspace(question) ? withoutMention(question) || question : question,
        attachments: collected.attachments,
        cite: retrieved.length > 0,
        windowTokens: info.contextSize,
        maxAnswerTokens: chatSettings(this.config).maxTokens,
        count: (texts) => this.counts.count(texts, (missing) => this.backend.countTokens(missing, signal), info.id),
        measure: (messages) => this.backend.chatPromptTokens(messages, signal),
      });
      // The chips show what this message sends, from the same report as the notes below it.
      this.refreshSeq++;
      this.postContext(collected, prepared, info.contextSize, true);
      if (!continuing) {
        for (const chip of collected.refused) this.surface.post({ type: 'note', text: chip.note ?? chip.label, before: id });
        for (const note of prepared.notes) this.surface.post({ type: 'note', text: note, before: id });
      }
      if (!prepared.ok) throw new SovereignError('internal', prepared.notes.at(-1) ?? 'The message does not fit the context window.');
      if (continuing && prepared.messages.at(-1)?.role !== 'assistant') throw new SovereignError('internal', 'The answer so far no longer fits the context window: ask again to go on.');
      context = sentLabels(prepared);
      live.context = context;
      if (!continuing) this.surface.post({ type: 'questionContext', id, context });
      const sources = sentSources(prepared, retrieved);
      if (!continuing && sources.length > 0) this.surface.post({ type: 'sources', id, sources });
      const result = await this.backend.chat(prepared.messages, {
        maxTokens: prepared.maxTokens,
        signal,
        onText: (chunk) => {
          live.text += chunk;
          this.surface.post({ type: 'answerChunk', id, text: chunk });
        },
      });
      await keep(result.text, result.stopped);
      const cut = !result.stopped && !!result.cut;
      if (cut) this.lastCut = id;
      const genMs = Math.max(1, result.stats.totalMs - result.stats.firstTokenMs);
      this.surface.post({
        type: 'answerEnd',
        id,
        stopped: result.stopped,
        cut: cut || undefined,
        firstTokenMs: result.stats.firstTokenMs,
        tokensPerSecond: Math.round((result.stats.generatedTokens / genMs) * 1000 * 10) / 10,
      });
      // After the answer's last render: the page links the mentions in what it shows.
      await this.postCitations(id, continuing ? `${turn.partial}${result.text}` : result.text);
    } catch (e) {
      if (isCancelled(e)) {
        if (live.text) await keep(live.text, true);
        this.surface.post({ type: 'answerEnd', id, stopped: true, firstTokenMs: 0, tokensPerSecond: 0 });
        return;
      }
      this.log.warn(`chat failed: ${errorMessage(e)}`);
      // What streamed before the failure stays, as the page shows it: cut short, like a stopped answer.
      if (live.text) await keep(live.text, true).catch((saveError: unknown) => this.log.warn(`chat not saved: ${errorMessage(saveError)}`));
      const modelProblem = e instanceof SovereignError && modelProblems.includes(e.kind);
      const message = modelProblem ? `The chat model cannot be used: ${errorMessage(e)}` : errorMessage(e);
      this.surface.post({ type: 'error', id, message, action: modelProblem ? 'chooseChatModel' : undefined });
    } finally {
      this.endLive(live);
      if (this.answering === controller) this.answering = undefined;
      this.scheduleRefresh(0);
    }
  }

  private endLive(exchange: LiveExchange): void {
    if (this.live?.exchange === exchange) this.live = undefined;
  }

  private async remember(conversation: Conversation, question: string, context: string[], answer: string, stopped: boolean): Promise<void> {
    conversation.messages.push({ role: 'user', content: question, context }, { role: 'assistant', content: answer, stopped: stopped || undefined });
    await this.save(conversation);
  }

  /** The continued answer is one answer: its new text joins the stored one. */
  private async extend(conversation: Conversation, more: string, stopped: boolean): Promise<void> {
    const last = conversation.messages.at(-1);
    if (last?.role !== 'assistant') return;
    last.content += more;
    last.stopped = stopped || undefined;
    await this.save(conversation);
  }

  private async save(conversation: Conversation): Promise<void> {
    await this.store.save(conversation);
    if (conversation === this.conversation) await this.state.update(currentKey, conversation.id);
  }

  /** Links the answer's `path:line` mentions that name workspace files (the page links nothing else). */
  private async postCitations(id: string, text: string): Promise<void> {
    const paths = await this.workspace.citationTargets(text).catch(() => []);
    if (paths.length > 0) this.surface.post({ type: 'citations', id, paths });
  }

  /** A reopened conversation, its citations linked as they were (the page names its answers `t0`, `t1`, …). */
  private postTranscript(): void {
    const conversation = this.conversation;
    const live = this.live?.conversation === conversation ? this.live.exchange : undefined;
    this.surface.post({ type: 'transcript', title: conversation.title, entries: transcriptOf(conversation, live) });
    const answers = conversation.messages.filter((m) => m.role === 'assistant');
    void Promise.all(answers.map((m, i) => this.postCitations(`t${i}`, m.content)));
  }

  /** Before any chat model the page says what is missing and offers the picker; it follows the settings live. */
  private postChatModel(): void {
    this.surface.post({ type: 'chatModel', configured: this.backend.describe() !== undefined });
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshContext().catch((e) => this.log.debug(`context refresh: ${errorMessage(e)}`)), delayMs);
  }

  /**
   * The chips: what would be sent with the next message, counted with the chat model's tokenizer
   * once it is loaded (never loaded just for this) and estimated until then.
   */
  private async refreshContext(): Promise<void> {
    if (!this.surface.visible) return;
    const seq = ++this.refreshSeq;
    const loaded = this.backend.loadedModel();
    const settings = chatSettings(this.config);
    const windowTokens = loaded?.contextSize ?? settings.contextSize;
    const history = historyOf(this.conversation);
    const collected = await this.collect(this.draft, windowTokens, history);
    const input = {
      history,
      question: '',
      attachments: collected.attachments,
      cite: collected.attachments.some((a) => a.kind === 'chunk'),
      windowTokens,
      maxAnswerTokens: settings.maxTokens,
    };
    let exact = !!loaded;
    let prepared: PreparedChat;
    try {
      prepared = loaded
        ? await prepareChat({ ...input, count: (t) => this.counts.count(t, (m) => this.backend.countTokens(m), loaded.id), measure: (m) => this.measureCached(m) })
        : await prepareChat({ ...input, count: estimateTokenCounts });
    } catch {
      exact = false;
      prepared = await prepareChat({ ...input, count: estimateTokenCounts });
    }
    if (seq !== this.refreshSeq) return;
    this.postContext(collected, prepared, windowTokens, exact);
  }

  private postContext(collected: CollectedContext, prepared: PreparedChat, windowTokens: number, exact: boolean): void {
    const chips: ContextChip[] = prepared.attachments.map((a) => {
      const source = collected.attachments.find((c) => c.id === a.id)!;
      return { id: a.id, label: a.label, detail: source.detail, kind: source.kind, tokens: a.tokens, sentTokens: a.sentTokens, state: a.state, note: a.note, location: source.location };
    });
    this.surface.post({
      type: 'context',
      summary: { chips: [...chips, ...collected.refused], includeActiveFile: this.attachments.includeActiveFile, useWorkspace: this.workspace.alwaysOn, promptTokens: prepared.promptTokens, windowTokens, exact },
    });
  }

  private async measureCached(messages: ChatMessage[]): Promise<number> {
    const key = `${this.backend.loadedModel()?.id}\n${JSON.stringify(messages)}`;
    if (key !== this.lastMeasure.key) this.lastMeasure = { key, tokens: await this.backend.chatPromptTokens(messages) };
    return this.lastMeasure.tokens;
  }
}

/**
 * A multi-select quick pick where Enter on a highlighted row takes that row when none is checked:
 * `showQuickPick({ canPickMany })` returns only checked rows, so Enter after typing a name added nothing.
 */
async function pickMany<T extends vscode.QuickPickItem>(items: T[], title: string, placeholder: string): Promise<readonly T[]> {
  const pick = vscode.window.createQuickPick<T>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.items = items;
  try {
    return await new Promise<readonly T[]>((resolve) => {
      pick.onDidAccept(() => {
        resolve(pick.selectedItems.length ? pick.selectedItems : pick.activeItems);
        pick.hide();
      });
      pick.onDidHide(() => resolve([]));
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}

function historyOf(c: Conversation): ChatMessage[] {
  return c.messages.map((m) => ({ role: m.role, content: m.content }));
}

/** The retrieved chunks this message sends (trimmed ones too: their first lines went). */
function sentSources(p: PreparedChat, chunks: CollectedContext['attachments']): SourceLocation[] {
  return chunks.flatMap((c) => (c.location && p.attachments.some((a) => a.id === c.id && a.state !== 'dropped') ? [c.location] : []));
}

function sentLabels(p: PreparedChat): string[] {
  return p.attachments.filter((a) => a.state !== 'dropped').map((a) => (a.state === 'trimmed' ? `${a.label} (trimmed)` : a.label));
}
