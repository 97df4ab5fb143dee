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
    `img-src ${webview.cspSource}`,
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
<section id="setup" aria-label="Set up chat" hidden></section>
<main id="conversation" role="log" aria-live="polite" aria-label="Conversation" tabindex="0"></main>
<div id="status" class="visually-hidden" role="status" aria-live="polite"></div>
<section id="context" aria-label="Context sent with your message">
  <div class="context-header">
    <label class="toggle"><input type="checkbox" id="includeActive" checked> Active file</label>
    <label class="toggle" title="Every message also sends the codebase index's best matches for it (or write @workspace in a message)"><input type="checkbox" id="useWorkspace"> @workspace</label>
    <button type="button" id="addFile" class="secondary small" title="Add files to the context (or type @ in the message)" aria-label="Add files to the context">@ Add file…</button>
    <span id="contextTotal" class="context-total" tabindex="0"></span>
  </div>
  <ul id="chips" aria-label="Attached context"></ul>
</section>
<form id="composer" aria-label="Ask Sovereign">
  <textarea id="prompt" rows="3" placeholder="Ask about your code (Enter to send, Shift+Enter for a new line, @ to add a file or @workspace)" aria-label="Message" aria-keyshortcuts="Enter Escape"></textarea>
  <div class="buttons">
    <button type="button" id="newChat" class="secondary" aria-label="New chat">New</button>
    <button type="button" id="history" class="secondary" aria-label="Show saved chats">History</button>
    <span class="spacer"></span>
    <button type="button" id="stop" class="secondary" aria-label="Stop the answer (Escape)" hidden>Stop</button>
    <button type="submit" id="send" aria-label="Send message">Send</button>
  </div>
</form>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
