import * as vscode from 'vscode';
import type { ChatBackend } from '../chat/chatBackend';
import { describeRefusal } from '../common/contentPolicy';
import { errorMessage, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import { chatSettings } from '../config/chatSettings';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { buildEditPrompt } from './editPrompt';
import { chooseEditTarget, type EditTarget } from './editTarget';
import { InlineEdit, type EditDecorations, type EditOutcome } from './inlineEdit';
import { leadingIndent } from './parseEditReply';

/** Context keys: a proposal waits in the active editor (Accept all / Reject all bind to it); the model still writes it. */
export const editPendingKey = 'sovereign.editPending';
export const editStreamingKey = 'sovereign.editStreaming';

/** What the command resolves with once the answer is in: a proposal waits, or why none does. */
export type EditStart = { state: 'pending'; hunks: number } | { state: 'ended'; outcome: EditOutcome | 'refused' | 'dismissed'; message?: string };

/**
 * "Edit with Instruction": picks the target, asks for the instruction, sends one chat request
 * through the chat backend (the embedded worker's priority gate, or the team server) and streams
 * the answer into an InlineEdit. One proposal per document at a time.
 */
export class EditController implements vscode.Disposable {
  private readonly edits = new Map<string, InlineEdit>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** A proposal started, changed or ended: lenses, context keys and the status bar follow. */
  readonly onDidChange = this.changed.event;
  private readonly highlight: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly backend: ChatBackend,
    private readonly config: Config,
    private readonly policy: WorkspaceContentPolicy,
    private readonly decorations: EditDecorations,
    private readonly log: Log,
  ) {
    this.highlight = vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'), isWholeLine: true });
    this.subscriptions = [this.changed, this.highlight, vscode.window.onDidChangeActiveTextEditor(() => this.updateContext())];
  }

  dispose(): void {
    for (const edit of this.edits.values()) edit.dispose();
    this.edits.clear();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  /** The proposal in a document, if one waits there. */
  editFor(document: vscode.TextDocument | undefined): InlineEdit | undefined {
    return document && this.edits.get(document.uri.toString());
  }

  active(): InlineEdit | undefined {
    return this.editFor(vscode.window.activeTextEditor?.document);
  }

  /** `instruction` given (a keybinding's args) skips the input box. */
  async run(instruction?: string): Promise<EditStart> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Open a file to edit it with an instruction.');
      return { state: 'ended', outcome: 'refused' };
    }
    const doc = editor.document;
    await this.editFor(doc)?.rejectAll();
    const target = await chooseEditTarget(editor);
    const name = vscode.workspace.asRelativePath(doc.uri, false);
    const verdict = this.policy.check('chosen', doc, doc.getText());
    if (!verdict.allowed) {
      const message = `Sovereign does not send ${name}: it ${describeRefusal(verdict.reason)}.`;
      void vscode.window.showWarningMessage(message);
      return { state: 'ended', outcome: 'refused', message };
    }
    if (instruction === undefined) {
      // The target is shown before anything is sent: the user sees what the instruction applies to.
      editor.setDecorations(this.highlight, [target.range]);
      editor.revealRange(target.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      try {
        instruction = await vscode.window.showInputBox({ title: 'Sovereign: Edit with Instruction', prompt: promptFor(target), placeHolder: target.mode === 'generate' ? 'e.g. a function that parses an ISO date' : 'e.g. add type hints', ignoreFocusOut: true });
      } finally {
        editor.setDecorations(this.highlight, []);
      }
    }
    if (!instruction?.trim()) return { state: 'ended', outcome: 'dismissed' };
    // The selection has done its job; left in place it would paint over the preview's colours.
    if (vscode.window.activeTextEditor === editor) editor.selection = new vscode.Selection(target.range.start, target.range.start);
    return this.start(doc, target, instruction, name);
  }

  private async start(doc: vscode.TextDocument, target: EditTarget, instruction: string, fileName: string): Promise<EditStart> {
    const text = doc.getText().replace(/\r\n/g, '\n');
    const startOffset = offsetIn(doc, target.range.start);
    const endOffset = offsetIn(doc, target.range.end);
    const targetText = text.slice(startOffset, endOffset);
    const before = text.slice(0, startOffset).replace(/\n$/, '');
    const after = text.slice(endOffset).replace(/^\n/, '');
    const generate = target.mode === 'generate';
    const edit = new InlineEdit({
      document: doc,
      range: target.range,
      reply: { target: targetText, before, after, indent: generate ? generateIndent(doc, target.range.start.line) : leadingIndent(targetText), prose: proseLanguages.has(doc.languageId) },
      decorations: this.decorations,
      onDidChange: () => this.updateContext(),
    });
    const key = doc.uri.toString();
    this.edits.set(key, edit);
    edit.onDidEnd(({ outcome, message }) => {
      if (this.edits.get(key) === edit) this.edits.delete(key);
      edit.dispose();
      if (message) void (outcome === 'failed' ? vscode.window.showErrorMessage(`Sovereign could not edit ${fileName}: ${message}`) : vscode.window.showInformationMessage(message));
      this.log.debug(`edit ${fileName}: ${outcome}`);
      this.updateContext();
    });
    this.updateContext();
    const signal = edit.signal;
    try {
      const model = await this.backend.load(signal);
      const prompt = await buildEditPrompt({
        instruction,
        fileName,
        language: doc.languageId,
        target: generate ? '' : targetText,
        before,
        after,
        windowTokens: model.contextSize,
        maxAnswerTokens: chatSettings(this.config).maxTokens,
        count: (texts) => this.backend.countTokens(texts, signal),
        measure: (messages) => this.backend.chatPromptTokens(messages, signal),
      });
      if (!prompt.ok) {
        await edit.fail(prompt.error);
        return { state: 'ended', outcome: 'failed', message: prompt.error };
      }
      const result = await this.backend.chat(prompt.messages, { maxTokens: prompt.maxTokens, signal, onText: (t) => edit.append(t) });
      if (result.stopped || edit.isEnded) return { state: 'ended', outcome: 'cancelled' };
      await edit.complete();
    } catch (e) {
      if (isCancelled(e) || edit.isEnded) return { state: 'ended', outcome: 'cancelled' };
      this.log.warn(`edit ${fileName}: ${errorMessage(e)}`);
      await edit.fail(errorMessage(e));
      return { state: 'ended', outcome: 'failed', message: errorMessage(e) };
    }
    return edit.isEnded ? { state: 'ended', outcome: edit.outcome ?? 'unchanged' } : { state: 'pending', hunks: edit.hunkCount() };
  }

  private updateContext(): void {
    const edit = this.active();
    void vscode.commands.executeCommand('setContext', editPendingKey, !!edit && !edit.isEnded);
    void vscode.commands.executeCommand('setContext', editStreamingKey, !!edit?.isStreaming);
    this.changed.fire();
  }
}

/** Languages whose text is sentences: a reply's sentences are the edit, not talk around it. */
const proseLanguages = new Set(['markdown', 'plaintext', 'latex', 'restructuredtext', 'asciidoc', 'git-commit']);

/** Offsets in the document's text with `\n` line ends. */
function offsetIn(doc: vscode.TextDocument, at: vscode.Position): number {
  return doc.offsetAt(at) - (doc.eol === vscode.EndOfLine.CRLF ? at.line : 0);
}

function promptFor(target: EditTarget): string {
  const lines = target.range.start.line === target.range.end.line ? `line ${target.range.start.line + 1}` : `lines ${target.range.start.line + 1}–${target.range.end.line + 1}`;
  switch (target.source) {
    case 'empty line':
      return `Describe the code to write at line ${target.range.start.line + 1}`;
    case 'symbol':
      return `How should ${target.name} (${lines}) change?`;
    default:
      return `How should ${lines} change?`;
  }
}

/**
 * Where generated code sits: the empty line's own whitespace (VS Code auto-indents a new line),
 * else the next non-blank line's indentation unless it only closes a block, else the previous one's.
 */
function generateIndent(doc: vscode.TextDocument, line: number): string {
  const own = doc.lineAt(line).text;
  if (own.length) return own;
  const indentOf = (l: number) => doc.lineAt(l).text.slice(0, doc.lineAt(l).firstNonWhitespaceCharacterIndex);
  for (let l = line + 1; l < doc.lineCount; l++) {
    const t = doc.lineAt(l);
    if (t.isEmptyOrWhitespace) continue;
    if (!/^[)}\]]/.test(t.text.trim())) return indentOf(l);
    break;
  }
  for (let l = line - 1; l >= 0; l--) if (!doc.lineAt(l).isEmptyOrWhitespace) return indentOf(l);
  return '';
}
