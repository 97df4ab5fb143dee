/**
 * Host ⇄ chat webview messages, declared once and imported by both sides (the webview bundle
 * imports this file too). The page posts `ready` first; the host sends nothing before it.
 */
export type ToWebview =
  | { type: 'answerStart'; id: string }
  | { type: 'answerChunk'; id: string; text: string }
  | { type: 'answerEnd'; id: string; stopped: boolean; firstTokenMs: number; tokensPerSecond: number }
  | { type: 'error'; id?: string; message: string; action?: WebviewAction }
  | { type: 'cleared' };

export type WebviewAction = 'chooseChatModel';

export type FromWebview =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  | { type: 'newChat' }
  | { type: 'action'; action: WebviewAction };

export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; text?: unknown; action?: unknown };
  switch (v.type) {
    case 'ready':
    case 'stop':
    case 'newChat':
      return true;
    case 'send':
      return typeof v.text === 'string';
    case 'action':
      return v.action === 'chooseChatModel';
    default:
      return false;
  }
}
