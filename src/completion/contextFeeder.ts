import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { ContextFeedScheduler } from './contextFeedScheduler';
import type { ContextRing } from './contextRing';

/**
 * Feeds the extra-context ring from what the user works with: files opened and saved, code edited
 * in other files and code copied or cut. What the content policy refuses as gathered context
 * never enters. When an offer enters is ContextFeedScheduler's (shared with the benchmark).
 */
export function registerContextFeeder(
  ring: ContextRing,
  policy: WorkspaceContentPolicy,
  lastCompletionAt: () => number,
  onChanged: () => void,
): vscode.Disposable {
  const open = (uri: vscode.Uri) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const scheduler = new ContextFeedScheduler<vscode.Uri>({
    ring,
    documentOf: (uri) => {
      const document = open(uri);
      if (!document) return undefined;
      return { path: vscode.workspace.asRelativePath(document.uri, false), lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text };
    },
    admits: (uri, text) => {
      const document = open(uri);
      return !!document && policy.check('gathered', document, text).allowed;
    },
    lastCompletionAt,
    onChanged,
  });

  const offer = (document: vscode.TextDocument, line: number, text?: string) => {
    if (!policy.check('gathered', document.uri).allowed) return;
    scheduler.offer(document.uri, line, text);
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
    scheduler,
  );
}
