import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { EditController } from './editController';

/** "Accept | Reject" above each pending change; "Accept All | Reject All" (or "Cancel" while streaming) above the proposal. */
export class EditCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: EditController) {
    this.subscription = controller.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const edit = this.controller.editFor(document);
    if (!edit || edit.isEnded) return [];
    const top = new vscode.Range(edit.range().start, edit.range().start);
    if (edit.isStreaming) return [new vscode.CodeLens(top, { title: '$(loading~spin) Sovereign is editing… Cancel (Esc)', command: Commands.rejectEdit })];
    const uri = document.uri.toString();
    const out: vscode.CodeLens[] = [];
    const hunks = edit.pendingHunks();
    for (const { hunk, line } of hunks) {
      const at = new vscode.Range(line, 0, line, 0);
      out.push(new vscode.CodeLens(at, { title: 'Accept', command: Commands.acceptEditHunk, arguments: [uri, edit.id, hunk] }));
      out.push(new vscode.CodeLens(at, { title: 'Reject', command: Commands.rejectEditHunk, arguments: [uri, edit.id, hunk] }));
    }
    // With one change its own pair says it all; with several, the pair for all comes first.
    if (hunks.length > 1) {
      out.unshift(
        new vscode.CodeLens(top, { title: 'Accept All (Alt+Enter)', command: Commands.acceptEdit }),
        new vscode.CodeLens(top, { title: 'Reject All (Esc)', command: Commands.rejectEdit }),
      );
    }
    return out;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
