import * as vscode from 'vscode';
import { errorMessage, isCancelled, SovereignError } from '../common/errors';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { SettingKeys } from '../config/settingKeys';
import type { RuntimeClient } from '../runtime/client';
import type { ChatMessage } from '../runtime/protocol';
import { Commands } from '../commands';
import { isFromWebview, type ToWebview } from './messages';
import { renderChatHtml } from './chatHtml';

export const chatViewType = 'sovereign.chatView';

/** The chat view: streams answers from the local chat model into a webview. */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private readonly history: ChatMessage[] = [];
  private answering: AbortController | undefined;
  private answerCounter = 0;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: RuntimeClient,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = renderChatHtml(view.webview, media);
    this.subscriptions.push(
      view.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      view.onDidDispose(() => {
        this.view = undefined;
        this.answering?.abort();
      }),
    );
  }

  dispose(): void {
    this.answering?.abort();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.view?.webview.postMessage(message);
  }

  private async onMessage(message: unknown): Promise<void> {
    if (!isFromWebview(message)) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return;
      case 'send':
        return this.answer(message.text);
      case 'stop':
        this.answering?.abort();
        return;
      case 'newChat':
        this.answering?.abort();
        this.history.length = 0;
        this.post({ type: 'cleared' });
        return;
      case 'action':
        await vscode.commands.executeCommand(Commands.chooseChatModel);
        return;
    }
  }

  private async answer(text: string): Promise<void> {
    if (!text.trim()) return;
    this.answering?.abort();
    const controller = new AbortController();
    this.answering = controller;
    const id = `a${++this.answerCounter}`;
    this.history.push({ role: 'user', content: text });
    this.post({ type: 'answerStart', id });
    try {
      const result = await this.client.chat([...this.history], {
        maxTokens: this.config.get<number>(SettingKeys.chatMaxTokens),
        signal: controller.signal,
        onText: (chunk) => this.post({ type: 'answerChunk', id, text: chunk }),
      });
      this.history.push({ role: 'assistant', content: result.text });
      const genMs = Math.max(1, result.stats.totalMs - result.stats.firstTokenMs);
      this.post({
        type: 'answerEnd',
        id,
        stopped: result.stopped,
        firstTokenMs: result.stats.firstTokenMs,
        tokensPerSecond: Math.round((result.stats.generatedTokens / genMs) * 1000 * 10) / 10,
      });
    } catch (e) {
      if (isCancelled(e)) {
        this.post({ type: 'answerEnd', id, stopped: true, firstTokenMs: 0, tokensPerSecond: 0 });
        return;
      }
      this.history.pop();
      this.log.warn(`chat failed: ${errorMessage(e)}`);
      const modelProblem = e instanceof SovereignError && ['noModel', 'modelNotFound', 'notGguf', 'corruptModel'].includes(e.kind);
      this.post({ type: 'error', id, message: errorMessage(e), action: modelProblem ? 'chooseChatModel' : undefined });
    } finally {
      if (this.answering === controller) this.answering = undefined;
    }
  }
}

export function registerChatView(extensionUri: vscode.Uri, client: RuntimeClient, config: Config, log: Log): vscode.Disposable {
  const provider = new ChatViewProvider(extensionUri, client, config, log);
  return vscode.Disposable.from(
    provider,
    vscode.window.registerWebviewViewProvider(chatViewType, provider, { webviewOptions: { retainContextWhenHidden: true } }),
  );
}
