import * as vscode from 'vscode';
import { describeRefusal, documentSchemes, type Verdict } from '../common/contentPolicy';
import type { ContentSource, WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { ContextChip, SourceLocation } from './messages';
import { clipCharsFor, type AttachmentText } from './prepareChat';

interface Pinned {
  id: string;
  kind: 'file' | 'selection';
  uri: vscode.Uri;
  /** A selection is a snapshot: what the user selected when asking, even if the file changes. */
  range?: vscode.Range;
  text?: string;
  language?: string;
}

export interface CollectedContext {
  attachments: (AttachmentText & { kind: ContextChip['kind']; detail: string; location?: SourceLocation })[];
  /** Files the user would expect to be attached but that are not, with the reason. */
  refused: ContextChip[];
}

const includeActiveKey = 'sovereign.chat.includeActiveFile';

/**
 * What is attached to the next message: the active editor's file (when the toggle is on), files
 * added by the user, and selections. The content policy decides before anything is read (secrets,
 * schemes) and again on what is read (binary), each time the context is collected: a rule added
 * after a file was attached applies to it too.
 */
export class ContextAttachments implements vscode.Disposable {
  private readonly pinned: Pinned[] = [];
  private lastEditor: vscode.TextEditor | undefined;
  private counter = 0;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly state: vscode.Memento,
    private readonly policy: WorkspaceContentPolicy,
  ) {
    this.lastEditor = usable(vscode.window.activeTextEditor);
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Focusing the chat view leaves the last editor in place: it is the one the user means.
        if (!usable(e) || e === this.lastEditor) return;
        this.lastEditor = e;
        if (this.includeActiveFile) this.changed.fire();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.isAttached(e.document.uri)) this.changed.fire();
      }),
      policy.onDidChange(() => this.changed.fire()),
    );
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  /** The text editor the user worked in last: where "Insert at cursor" goes. */
  get editor(): vscode.TextEditor | undefined {
    const visible = vscode.window.visibleTextEditors;
    // A closed editor object is stale: find the one now showing the same document.
    if (this.lastEditor && !visible.includes(this.lastEditor)) {
      this.lastEditor = visible.find((e) => e.document === this.lastEditor?.document) ?? this.lastEditor;
    }
    return this.lastEditor;
  }

  get includeActiveFile(): boolean {
    return this.state.get<boolean>(includeActiveKey) ?? true;
  }

  async setIncludeActiveFile(value: boolean): Promise<void> {
    await this.state.update(includeActiveKey, value);
    this.changed.fire();
  }

  /** Workspace files the "@" picker (Add File to Chat) offers: what the policy refuses is not listed. */
  async pickableFiles(): Promise<vscode.Uri[]> {
    const files = await vscode.workspace.findFiles('**/*', undefined, 5000);
    return files.filter((uri) => this.policy.check('chosen', uri).allowed);
  }

  addFile(uri: vscode.Uri): Verdict {
    const verdict = this.policy.check('chosen', uri);
    if (verdict.allowed && !this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === uri.toString())) {
      this.pinned.push({ id: `p${++this.counter}`, kind: 'file', uri });
      this.changed.fire();
    }
    return verdict;
  }

  addSelection(editor: vscode.TextEditor): Verdict {
    const doc = editor.document;
    const range = editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : editor.selection;
    const text = doc.getText(range);
    const verdict = this.policy.check('chosen', doc, text);
    if (!verdict.allowed) return verdict;
    this.pinned.push({ id: `p${++this.counter}`, kind: 'selection', uri: doc.uri, range, text, language: doc.languageId });
    this.changed.fire();
    return verdict;
  }

  remove(id: string): void {
    if (id === 'active') {
      void this.setIncludeActiveFile(false);
      return;
    }
    const i = this.pinned.findIndex((p) => p.id === id);
    if (i >= 0) {
      this.pinned.splice(i, 1);
      this.changed.fire();
    }
  }

  /** Labels of what is attached (for tests and the API), without reading any file. */
  labels(): string[] {
    const active = this.activeDocument();
    return [...this.pinned.map((p) => label(p.uri, p.range)), ...(active ? [label(active.uri)] : [])];
  }

  /** Reads everything attached, each clipped to what any window of `windowTokens` could hold. */
  async collect(windowTokens: number): Promise<CollectedContext> {
    const maxChars = clipCharsFor(windowTokens);
    const out: CollectedContext = { attachments: [], refused: [] };
    // Each attachment passes the policy again as it is sent: a rule added since it was attached applies.
    const admit = (attachment: CollectedContext['attachments'][number], from: ContentSource, uri: vscode.Uri) => {
      const verdict = this.policy.check('chosen', from, attachment.text);
      if (verdict.allowed) out.attachments.push(attachment);
      else out.refused.push(refusedChip(attachment.id, attachment.label, uri.fsPath, neverSent(verdict)));
    };
    for (const p of this.pinned) {
      const name = label(p.uri, p.range);
      if (p.kind === 'selection') {
        admit({ id: p.id, kind: 'selection', label: name, detail: `Selection in ${p.uri.fsPath}`, language: p.language ?? '', ...clip(p.text ?? '', maxChars, name) }, p.uri, p.uri);
        continue;
      }
      // A secret is not even read.
      const place = this.policy.check('chosen', p.uri);
      const read = place.allowed ? await readText(p.uri) : { why: neverSent(place) };
      if ('why' in read) out.refused.push(refusedChip(p.id, name, p.uri.fsPath, read.why));
      else admit({ id: p.id, kind: 'file', label: name, detail: p.uri.fsPath, language: languageOf(p.uri), ...clip(read.text, maxChars, name) }, read.from, p.uri);
    }
    if (this.includeActiveFile && this.lastEditor && !this.lastEditor.document.isClosed) {
      const doc = this.lastEditor.document;
      const name = label(doc.uri);
      if (!this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === doc.uri.toString())) {
        admit({ id: 'active', kind: 'activeFile', automatic: true, label: name, detail: `Active editor: ${doc.uri.fsPath}`, language: doc.languageId, ...clip(doc.getText(), maxChars, name) }, doc, doc.uri);
      }
    }
    return out;
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const doc = this.includeActiveFile ? this.lastEditor?.document : undefined;
    if (!doc || doc.isClosed || !this.policy.check('chosen', doc).allowed) return undefined;
    return this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === doc.uri.toString()) ? undefined : doc;
  }

  private isAttached(uri: vscode.Uri): boolean {
    const key = uri.toString();
    return (this.includeActiveFile && this.lastEditor?.document.uri.toString() === key) || this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === key);
  }
}

function usable(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  return editor && documentSchemes.has(editor.document.uri.scheme) ? editor : undefined;
}

function label(uri: vscode.Uri, range?: vscode.Range): string {
  const path = uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri, false);
  return range ? `${path}:${range.start.line + 1}-${range.end.line + 1}` : path;
}

export function languageOf(uri: vscode.Uri): string {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.languageId;
  const dot = uri.path.lastIndexOf('.');
  return dot > uri.path.lastIndexOf('/') ? uri.path.slice(dot + 1) : '';
}

/** A huge file is cut before counting (tokenizing megabytes would stall the worker): said in a note. */
function clip(text: string, maxChars: number, name: string): { text: string; clippedNote?: string } {
  if (text.length <= maxChars) return { text };
  return { text: text.slice(0, maxChars), clippedNote: `${name} is ${size(text.length)}: only its beginning can fit the chat model's context window.` };
}

function size(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / 1024 / 1024).toFixed(1)} MB` : `${Math.round(chars / 1024)} KB`;
}

/** An open document's text (with unsaved edits), else the file's, with what the policy judges it by. */
async function readText(uri: vscode.Uri): Promise<{ text: string; from: ContentSource } | { why: string }> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { text: open.getText(), from: open };
  try {
    const content = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    return { text: content, from: { uri, content } };
  } catch (e) {
    return { why: `cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function neverSent(verdict: Verdict): string {
  return verdict.allowed ? '' : `${describeRefusal(verdict.reason)}: never sent`;
}

function refusedChip(id: string, name: string, detail: string, why: string): ContextChip {
  return { id, label: name, detail, kind: 'excluded', tokens: 0, sentTokens: 0, state: 'excluded', note: `${name}: ${why}` };
}
