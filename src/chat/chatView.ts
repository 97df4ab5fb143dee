import * as vscode from 'vscode';
import type { ChatSurface } from './chatController';
import { renderChatHtml } from './chatHtml';
import { isFromWebview, type FromWebview, type ToWebview } from './messages';

export const chatViewType = 'sovereign.chatView';

export interface ChatViewHandler {
  onMessage(message: FromWebview): Promise<void>;
  onViewClosed(): void;
  onViewVisible(): void;
}

/**
 * The chat view's webview: a strict CSP page from `media/`, typed messages both ways. Posts wait
 * for the page's `ready`; on `ready` the handler sends the whole state again.
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable, ChatSurface {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private handler: ChatViewHandler | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri) {}

  setHandler(handler: ChatViewHandler): void {
    this.handler = handler;
  }

  get visible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = renderChatHtml(view.webview, media);
    this.viewSubscriptions.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromWebview(m)) return;
        if (m.type === 'ready') this.ready = true;
        void this.handler?.onMessage(m);
      }),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.handler?.onViewVisible();
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
        this.handler?.onViewClosed();
      }),
    );
  }

  post(message: ToWebview): void {
    if (this.ready) void this.view?.webview.postMessage(message);
  }

  /** Shows and focuses the view (creating it if needed). */
  async reveal(): Promise<void> {
    if (this.view) this.view.show(false);
    else await vscode.commands.executeCommand(`${chatViewType}.focus`);
  }

  dispose(): void {
    this.disposeView();
  }

  private disposeView(): void {
    for (const s of this.viewSubscriptions.splice(0)) s.dispose();
  }
}
