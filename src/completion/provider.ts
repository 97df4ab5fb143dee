import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import { errorMessage } from '../common/errors';
import { Emitter } from '../common/disposable';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { completionEnabledFor, completionSettings } from '../config/completionSettings';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { CompletionPipeline, CompletionInput } from './completionPipeline';
import { completionInputAt, type WindowSettings } from './completionWindow';
import { extendItem, withItemInserted, type SelectedItem } from './selectedItem';

/**
 * The VS Code side of completion: turns a document and position into bounded text windows and
 * hands them to the pipeline. Never shows a notification: failures go to the status bar (through
 * the runtime state) and the log. VS Code cancels the token of a stale request; it becomes the
 * AbortSignal the worker stops generating on.
 */
export class CompletionProvider implements vscode.InlineCompletionItemProvider {
  private paused = false;
  private readonly pausedEmitter = new Emitter<boolean>();
  readonly onDidChangePaused = this.pausedEmitter.event;

  constructor(
    private readonly pipeline: CompletionPipeline,
    private readonly config: Config,
    private readonly policy: WorkspaceContentPolicy,
    private readonly log: Log,
    /** A model file or a team server is configured (see completionBackend.ts). */
    private readonly configured: () => boolean = () => !!config.modelPath('completion'),
  ) {}

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.pausedEmitter.fire(paused);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const manual = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    // Read once per keystroke; the pipeline reads its own part again, per request.
    const settings = completionSettings(this.config);
    if (this.paused && !manual) return undefined;
    if (!completionEnabledFor(settings, document.languageId)) return undefined;
    // With the suggestion list open, VS Code shows only text that extends its selected item.
    const info = context.selectedCompletionInfo;
    const item: SelectedItem | undefined = info && { text: info.text, start: info.range.start, end: info.range.end };
    const input = this.inputFor(document, position, settings, item);
    if (!input) return undefined;
    // VS Code asks again as the list's selection moves: one line per ask says which item it was for.
    if (item) this.log.debug(`completion: asked beside the suggestion list, item "${item.text}"${manual ? ' (invoked)' : ''}`);

    try {
      const suggestion = await this.pipeline.provide(input, toAbortSignal(token), manual);
      if (!suggestion || token.isCancellationRequested) return undefined;
      if (item) {
        const extended = extendItem(item, suggestion);
        if (!extended) return undefined;
        const { start, end } = extended;
        return [new vscode.InlineCompletionItem(extended.text, new vscode.Range(start.line, start.character, end.line, end.character))];
      }
      const range = suggestion.replaceIndent ? new vscode.Range(position.line, 0, position.line, position.character) : new vscode.Range(position, position);
      return [new vscode.InlineCompletionItem(suggestion.text, range)];
    } catch (e) {
      this.log.warn(`completion failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /**
   * The bounded text at `position` (with `item`: as if the list's selected item were inserted), or
   * undefined where no model may be asked (no model, or the content policy refuses).
   */
  inputFor(document: vscode.TextDocument, position: vscode.Position, settings: WindowSettings = completionSettings(this.config), item?: SelectedItem): CompletionInput | undefined {
    if (!this.configured()) return undefined;
    const input = completionInput(document, position, settings, item);
    return this.policy.check('editing', document, input.prefix, input.suffix).allowed ? input : undefined;
  }

}

function completionInput(document: vscode.TextDocument, position: vscode.Position, settings: WindowSettings, item: SelectedItem | undefined): CompletionInput {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const lines = { lineCount: document.lineCount, lineAt: (i: number) => document.lineAt(i).text };
  const at = item ? withItemInserted(lines, item) : { doc: lines, line: position.line, character: position.character };
  return completionInputAt(at.doc, at.line, at.character, settings, {
    filePath: folder ? vscode.workspace.asRelativePath(document.uri, false) : undefined,
    repoName: folder?.name,
  });
}
