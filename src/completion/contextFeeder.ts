import * as vscode from 'vscode';
import type { ExclusionFilter } from '../config/exclusionFilter';
import { ContextFeedScheduler } from './contextFeedScheduler';
import type { ContextRing } from './contextRing';
import { isBinaryDocument } from './provider';

/**
 * Feeds the extra-context ring from what the user works with: files opened and saved, code edited
 * in other files and code copied or cut. Excluded files (secrets, files.exclude) never enter. When
 * an offer enters is ContextFeedScheduler's (shared with the benchmark).
 */
export function registerContextFeeder(
  ring: ContextRing,
  exclusions: ExclusionFilter,
  lastCompletionAt: () => number,
  onChanged: () => void,
): vscode.Disposable {
  const scheduler = new ContextFeedScheduler<vscode.Uri>({
    ring,
    documentOf: (uri) => {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (!document || isBinaryDocument(document)) return undefined;
      return { path: vscode.workspace.asRelativePath(document.uri, false), lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text };
    },
    lastCompletionAt,
    onChanged,
  });

  const offer = (document: vscode.TextDocument, line: number, text?: string) => {
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'vscode-remote' && document.uri.scheme !== 'untitled') return;
    // Only the user's project: VS Code's own settings.json (opened to write a setting) or a file from
    // elsewhere on disk may hold tokens and has nothing to teach about this code.
    if (document.uri.scheme !== 'untitled' && !vscode.workspace.getWorkspaceFolder(document.uri)) return;
    if (exclusions.excluded(document.uri)) return;
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
    vscode.commands.registerCommand('sovereign.copy', () => copy('editor.action.clipboardCopyAction')),
    vscode.commands.registerCommand('sovereign.cut', () => copy('editor.action.clipboardCutAction')),
    scheduler,
  );
}
