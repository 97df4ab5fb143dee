import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { chunkAround, type ContextRing } from './contextRing';

/** Lines a chunk takes from a file (llama.vscode's measured choice). */
const chunkLines = 64;
/** A chunk enters the ring only when no completion ran this recently, so typing stays light. */
const quietMs = 3000;

/**
 * Feeds the extra-context ring from what the user works with: files opened and saved, code edited
 * in other files and code copied or cut. What the content policy refuses as gathered context never enters.
 */
export function registerContextFeeder(
  ring: ContextRing,
  policy: WorkspaceContentPolicy,
  lastCompletionAt: () => number,
  onChanged: () => void,
): vscode.Disposable {
  const pending: { uri: vscode.Uri; line: number; text?: string }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const offer = (document: vscode.TextDocument, line: number, text?: string) => {
    if (!policy.check('gathered', document.uri).allowed) return;
    pending.push({ uri: document.uri, line, text });
    schedule();
  };

  const schedule = () => {
    clearTimeout(timer);
    const wait = Math.max(250, quietMs - (performance.now() - lastCompletionAt()));
    timer = setTimeout(flush, wait);
  };

  const flush = () => {
    if (performance.now() - lastCompletionAt() < quietMs) return schedule();
    let changed = false;
    for (const item of pending.splice(0)) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === item.uri.toString());
      if (!document) continue;
      const text = item.text ?? chunkAround({ lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text }, item.line, chunkLines);
      if (!policy.check('gathered', document, text).allowed) continue;
      changed = ring.add({ path: vscode.workspace.asRelativePath(document.uri, false), text }) || changed;
    }
    // The new context is evaluated now, while the user is idle, not on the next keystroke.
    if (changed) onChanged();
  };

  const active = () => vscode.window.activeTextEditor?.document;
  const copy = async (command: string) => {
    const editor = vscode.window.activeTextEditor;
    const selected = editor?.selections.map((s) => editor.document.getText(s)).join('\n');
    await vscode.commands.executeCommand(command);
    if (editor && selected?.trim()) offer(editor.document, editor.selection.start.line, selected);
  };

  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument((d) => offer(d, 0)),
    vscode.workspace.onDidSaveTextDocument((d) => offer(d, vscode.window.activeTextEditor?.selection.active.line ?? 0)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      // Edits in the file being completed are already in its prefix and suffix.
      if (e.document === active() || e.contentChanges.length === 0) return;
      offer(e.document, e.contentChanges[0].range.start.line);
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) offer(editor.document, editor.selection.active.line);
    }),
    vscode.commands.registerCommand(Commands.copy, () => copy('editor.action.clipboardCopyAction')),
    vscode.commands.registerCommand(Commands.cut, () => copy('editor.action.clipboardCutAction')),
    { dispose: () => clearTimeout(timer) },
  );
}
