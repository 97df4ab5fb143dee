import * as vscode from 'vscode';
import type { ChatBackend } from '../chat/chatBackend';
import { Commands } from '../commands';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { EditCodeLenses } from './editCodeLenses';
import { EditController } from './editController';

/**
 * In-place edits: the command, the per-hunk lenses, Accept all / Reject all (keybindings bound to
 * the `sovereign.editPending` context key), and a status bar entry while a proposal waits.
 */
/** The command resolves with an EditStart (editController.ts) once the answer is in: tests await it. */
export function registerEdit(backend: ChatBackend, config: Config, policy: WorkspaceContentPolicy, log: Log): vscode.Disposable {
  const decorations = {
    removed: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('diffEditor.removedLineBackground'),
      textDecoration: 'line-through',
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.deletedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
    added: vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('diffEditor.insertedLineBackground'),
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.addedForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    }),
  };
  const controller = new EditController(backend, config, policy, decorations, log);
  const lenses = new EditCodeLenses(controller);
  const status = vscode.window.createStatusBarItem('sovereign.edit', vscode.StatusBarAlignment.Left, 1000);
  status.name = 'Sovereign Edit';
  const showStatus = () => {
    const edit = controller.active();
    if (!edit || edit.isEnded) return status.hide();
    status.text = edit.isStreaming ? '$(loading~spin) Sovereign is editing… (Esc cancels)' : `$(diff) Sovereign edit: ${edit.pendingHunks().length} change(s) — Alt+Enter accepts all, Esc rejects all`;
    status.command = edit.isStreaming ? Commands.rejectEdit : Commands.acceptEdit;
    status.tooltip = edit.isStreaming ? 'Cancel the edit: the file stays as it was' : 'Accept every change (Esc rejects every change; each change also has its own Accept | Reject above it)';
    status.show();
  };
  const forHunk = (state: 'accepted' | 'rejected') => (uri: unknown, id: unknown, hunk: unknown) => {
    const edit = [...vscode.workspace.textDocuments].map((d) => controller.editFor(d)).find((e) => e && e.document.uri.toString() === uri && e.id === id);
    return typeof hunk === 'number' ? edit?.decide(hunk, state) : undefined;
  };
  return vscode.Disposable.from(
    controller,
    decorations.removed,
    decorations.added,
    status,
    lenses,
    controller.onDidChange(showStatus),
    vscode.languages.registerCodeLensProvider({ scheme: '*' }, lenses),
    vscode.commands.registerCommand(Commands.editWithInstruction, (args?: unknown) => controller.run(instructionOf(args))),
    vscode.commands.registerCommand(Commands.acceptEdit, () => controller.active()?.acceptAll()),
    vscode.commands.registerCommand(Commands.rejectEdit, () => controller.active()?.rejectAll()),
    vscode.commands.registerCommand(Commands.acceptEditHunk, forHunk('accepted')),
    vscode.commands.registerCommand(Commands.rejectEditHunk, forHunk('rejected')),
  );
}

/** `{ "instruction": "…" }` from a keybinding's args: a fixed instruction on a key of the user's choice. */
function instructionOf(args: unknown): string | undefined {
  const value = typeof args === 'object' && args !== null && 'instruction' in args ? (args as { instruction: unknown }).instruction : undefined;
  return typeof value === 'string' && value.trim() ? value : undefined;
}
