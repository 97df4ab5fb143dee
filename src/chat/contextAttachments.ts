import * as vscode from 'vscode';
import { compileExclusions, enabledGlobs, type Exclusion } from '../common/exclusions';
import type { Config } from '../config/config';
import { SettingKeys } from '../config/settingKeys';
import type { ContextChip } from './messages';
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
  attachments: (AttachmentText & { kind: ContextChip['kind']; detail: string })[];
  /** Files the user would expect to be attached but that are not, with the reason. */
  refused: ContextChip[];
}

/** Schemes of real documents: not output panes, diff proposals or settings UIs. */
const documentSchemes = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);
const includeActiveKey = 'sovereign.chat.includeActiveFile';

/**
 * What is attached to the next message: the active editor's file (when the toggle is on), files
 * added by the user, and selections. Secret files are refused here, before anything is read.
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
    private readonly config: Config,
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
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`sovereign.${SettingKeys.contextExclude}`) || e.affectsConfiguration('files.exclude')) this.changed.fire();
      }),
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

  /** Why a file may not be attached, or undefined when it may. */
  exclusion(uri: vscode.Uri): Exclusion | undefined {
    const secrets = this.config.strings(SettingKeys.contextExclude);
    const hidden = enabledGlobs(vscode.workspace.getConfiguration('files', uri).get('exclude'));
    const inWorkspace = vscode.workspace.getWorkspaceFolder(uri);
    const path = inWorkspace ? vscode.workspace.asRelativePath(uri, false) : uri.path;
    return compileExclusions({ secrets, hidden: inWorkspace ? hidden : [] })(path);
  }

  addFile(uri: vscode.Uri): Exclusion | undefined {
    const excluded = this.exclusion(uri);
    if (excluded) return excluded;
    if (!this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === uri.toString())) {
      this.pinned.push({ id: `p${++this.counter}`, kind: 'file', uri });
      this.changed.fire();
    }
    return undefined;
  }

  addSelection(editor: vscode.TextEditor): Exclusion | undefined {
    const doc = editor.document;
    const excluded = this.exclusion(doc.uri);
    if (excluded) return excluded;
    const range = editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : editor.selection;
    this.pinned.push({ id: `p${++this.counter}`, kind: 'selection', uri: doc.uri, range, text: doc.getText(range), language: doc.languageId });
    this.changed.fire();
    return undefined;
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

  /** Labels of what is attached (for tests and the API), without reading anything. */
  labels(): string[] {
    const active = this.activeDocument();
    return [...this.pinned.map((p) => label(p.uri, p.range)), ...(active ? [label(active.uri)] : [])];
  }

  /** Reads everything attached, each clipped to what any window of `windowTokens` could hold. */
  async collect(windowTokens: number): Promise<CollectedContext> {
    const maxChars = clipCharsFor(windowTokens);
    const out: CollectedContext = { attachments: [], refused: [] };
    for (const p of this.pinned) {
      const name = label(p.uri, p.range);
      if (p.kind === 'selection') {
        out.attachments.push({ id: p.id, kind: 'selection', label: name, detail: `Selection in ${p.uri.fsPath}`, language: p.language ?? '', ...clip(p.text ?? '', maxChars, name) });
        continue;
      }
      const read = await readText(p.uri);
      if (typeof read !== 'string') {
        out.refused.push(refusedChip(p.id, name, p.uri.fsPath, read.why));
        continue;
      }
      out.attachments.push({ id: p.id, kind: 'file', label: name, detail: p.uri.fsPath, language: languageOf(p.uri), ...clip(read, maxChars, name) });
    }
    if (this.includeActiveFile && this.lastEditor && !this.lastEditor.document.isClosed) {
      const doc = this.lastEditor.document;
      const name = label(doc.uri);
      const excluded = this.exclusion(doc.uri);
      if (excluded) {
        out.refused.push(refusedChip('active', name, doc.uri.fsPath, `matches "${excluded.pattern}" in ${excluded.setting}: never sent`));
      } else if (!this.pinned.some((p) => p.kind === 'file' && p.uri.toString() === doc.uri.toString())) {
        out.attachments.push({ id: 'active', kind: 'activeFile', label: name, detail: `Active editor: ${doc.uri.fsPath}`, language: doc.languageId, ...clip(doc.getText(), maxChars, name) });
      }
    }
    return out;
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const doc = this.includeActiveFile ? this.lastEditor?.document : undefined;
    if (!doc || doc.isClosed || this.exclusion(doc.uri)) return undefined;
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

function languageOf(uri: vscode.Uri): string {
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

/** An open document's text (with unsaved edits), else the file's; binary files are refused. */
async function readText(uri: vscode.Uri): Promise<string | { why: string }> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.subarray(0, 8192).includes(0)) return { why: 'a binary file, not sent' };
    return new TextDecoder('utf-8').decode(bytes);
  } catch (e) {
    return { why: `cannot be read: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function refusedChip(id: string, name: string, detail: string, why: string): ContextChip {
  return { id, label: name, detail, kind: 'excluded', tokens: 0, sentTokens: 0, state: 'excluded', note: `${name}: ${why}` };
}
