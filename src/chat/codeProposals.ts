import * as vscode from 'vscode';
import { parseEditReply } from '../edit/parseEditReply';

export const proposalScheme = 'sovereign-proposal';
/** Context key: a proposed change waits for Accept or Discard (shows the commands in the palette). */
const hasProposalKey = 'sovereign.hasProposal';

interface Proposal {
  uri: vscode.Uri;
  target: vscode.Uri;
  /** The document version the proposal was made against: a later edit makes it stale. */
  version: number;
  range: vscode.Range;
  code: string;
  proposed: string;
}

/**
 * "Apply as diff": a code block becomes a proposed version of a file (replacing the selection, or
 * the whole file when nothing is selected), shown in VS Code's diff editor. Nothing changes until
 * the user accepts, from the diff's title bar, the notification or the command palette; accepting
 * edits the document (undoable, saved by the user like any edit).
 */
export class CodeProposals implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private readonly proposals = new Map<string, Proposal>();
  private counter = 0;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [vscode.workspace.registerTextDocumentContentProvider(proposalScheme, this)];
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.proposals.clear();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.proposals.get(uri.toString())?.proposed ?? '';
  }

  async propose(editor: vscode.TextEditor, code: string): Promise<void> {
    const doc = editor.document;
    const original = doc.getText();
    const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(original.length));
    // A selection grows to whole lines: the parser re-bases indentation line by line.
    const sel = editor.selection;
    const lastLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
    const range = sel.isEmpty ? whole : new vscode.Range(sel.start.line, 0, lastLine, doc.lineAt(lastLine).text.length);
    const start = doc.offsetAt(range.start);
    const end = doc.offsetAt(range.end);
    // The same defensive parsing as an in-place edit: a block that echoes the lines around the
    // selection is cut back to it, and its indentation follows the selection's.
    const target = original.slice(start, end).replace(/\r\n/g, '\n');
    const parsed = parseEditReply(code, { target, before: original.slice(0, start).replace(/\r\n/g, '\n'), after: original.slice(end).replace(/\r\n/g, '\n') }, { codeBlock: true });
    if (!parsed.ok) {
      void vscode.window.showWarningMessage(`Nothing to apply: ${parsed.error}`);
      return;
    }
    let replacement = doc.eol === vscode.EndOfLine.CRLF ? parsed.code.replace(/\n/g, '\r\n') : parsed.code;
    // A whole file keeps its final newline; a code block's text has none of its own.
    if (range.isEqual(whole) && original.endsWith('\n') && !replacement.endsWith('\n')) replacement += doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const proposed = original.slice(0, start) + replacement + original.slice(end);
    // The file name last, so the diff editor picks the document's language from it.
    const name = doc.uri.path.split('/').pop() || 'untitled';
    const uri = vscode.Uri.from({ scheme: proposalScheme, path: `/${++this.counter}/${name}` });
    this.proposals.set(uri.toString(), { uri, target: doc.uri, version: doc.version, range, code: replacement, proposed });
    await this.updateContextKey();
    const what = range.isEqual(whole) ? 'the whole file' : `lines ${range.start.line + 1}-${range.end.line + 1}`;
    await vscode.commands.executeCommand('vscode.diff', doc.uri, uri, `${name} ↔ Sovereign's proposal (${what})`, { preview: true });
    // Not modal: the user reads the diff first; the same choice sits in the diff's title bar.
    void vscode.window.showInformationMessage(`Sovereign proposes a change to ${name} (${what}).`, 'Accept', 'Discard').then((choice) => {
      if (choice === 'Accept') void this.accept(uri);
      else if (choice === 'Discard') void this.reject(uri);
    });
  }

  /** Accepts the proposal shown in the active diff (or the one named). */
  async accept(uri?: vscode.Uri): Promise<boolean> {
    const p = this.find(uri);
    if (!p) return false;
    const doc = await vscode.workspace.openTextDocument(p.target);
    if (doc.version !== p.version) {
      void vscode.window.showWarningMessage(`${doc.fileName.split(/[\\/]/).pop()} changed since the proposal was made: apply the code block again.`);
      await this.close(p);
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(p.target, p.range, p.code);
    const applied = await vscode.workspace.applyEdit(edit);
    await this.close(p);
    if (applied) await vscode.window.showTextDocument(doc, { preview: false });
    return applied;
  }

  async reject(uri?: vscode.Uri): Promise<void> {
    const p = this.find(uri);
    if (p) await this.close(p);
  }

  private find(uri?: vscode.Uri): Proposal | undefined {
    if (uri?.scheme === proposalScheme) return this.proposals.get(uri.toString());
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff && input.modified.scheme === proposalScheme) return this.proposals.get(input.modified.toString());
    // Only one waits: from the palette or the notification, that one is meant.
    return this.proposals.size === 1 ? [...this.proposals.values()][0] : [...this.proposals.values()].pop();
  }

  private async close(p: Proposal): Promise<void> {
    this.proposals.delete(p.uri.toString());
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === p.uri.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    await this.updateContextKey();
  }

  private updateContextKey(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', hasProposalKey, this.proposals.size > 0);
  }
}
