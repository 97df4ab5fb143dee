import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The view's page: a strict CSP with a fresh nonce; scripts and styles only from `media/`. */
export function renderChatHtml(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'dist', 'chat.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Sovereign Chat</title>
</head>
<body>
<main id="conversation" role="log" aria-live="polite" aria-label="Conversation"></main>
<form id="composer" aria-label="Ask Sovereign">
  <textarea id="prompt" rows="3" placeholder="Ask about your code (Enter to send, Shift+Enter for a new line)" aria-label="Message"></textarea>
  <div class="buttons">
    <button type="button" id="newChat" class="secondary" aria-label="New chat">New</button>
    <button type="button" id="stop" class="secondary" aria-label="Stop the answer" hidden>Stop</button>
    <button type="submit" id="send" aria-label="Send message">Send</button>
  </div>
</form>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
