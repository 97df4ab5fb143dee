import * as vscode from 'vscode';
import { applyHunks, computeHunks, previewLines, type Hunk, type HunkState, type PreviewLine } from './editHunks';
import { parseEditReply, type ReplyTarget } from './parseEditReply';
import { reanchorRegion } from './reanchorRegion';

/** The two looks of a pending proposal; created once, shared by every edit. */
export interface EditDecorations {
  removed: vscode.TextEditorDecorationType;
  added: vscode.TextEditorDecorationType;
}

export type EditOutcome = 'accepted' | 'rejected' | 'cancelled' | 'withdrawn' | 'failed' | 'unchanged';

export interface InlineEditInit {
  document: vscode.TextDocument;
  /** The target: whole lines. */
  range: vscode.Range;
  /** What the parser needs: the target and the file around it with `\n` line ends, the indentation. */
  reply: ReplyTarget;
  decorations: EditDecorations;
  /** Something a CodeLens, a context key or the status bar shows has changed. */
  onDidChange(): void;
}

let nextId = 0;

/**
 * One proposal in the editor. While it is pending, the document holds a preview: each hunk's old
 * lines (struck through) followed by its new lines (on the inserted-line colour), written with
 * undo stops only at the start and the end, so the whole preview is one undo element. Finishing
 * always puts the original target back first, then writes the outcome as one edit of its own:
 * accepting is one undo step from the original, and rejecting or cancelling leaves the text
 * exactly as it was. Decorations alone cannot show new lines as lines (they add no line breaks),
 * which is why the preview lives in the document.
 */
export class InlineEdit implements vscode.Disposable {
  readonly id = ++nextId;
  readonly document: vscode.TextDocument;
  private readonly original: string;
  private readonly eol: string;
  /** The preview's place in the document, in offsets; moves with edits above it. */
  private start: number;
  private length: number;
  private reply = '';
  private hunks: Hunk[] = [];
  private states: HunkState[] = [];
  private preview: PreviewLine[] = [];
  private streaming = true;
  private ended = false;
  /** How it ended, once it has. */
  outcome: EditOutcome | undefined;
  private writing = 0;
  private firstWrite = true;
  private queue: Promise<unknown> = Promise.resolve();
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly ended$ = new vscode.EventEmitter<{ outcome: EditOutcome; message?: string }>();
  /** Fires once, when the proposal is accepted, rejected, cancelled or withdrawn. */
  readonly onDidEnd = this.ended$.event;

  constructor(private readonly init: InlineEditInit) {
    this.document = init.document;
    this.eol = init.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    this.original = init.reply.target;
    this.start = init.document.offsetAt(init.range.start);
    this.length = init.document.offsetAt(init.range.end) - this.start;
    this.subscriptions.push(
      this.ended$,
      vscode.workspace.onDidChangeTextDocument((e) => e.document === this.document && this.documentChanged(e)),
      // A save while pending would write the preview's old and new lines: the original is saved instead.
      vscode.workspace.onWillSaveTextDocument((e) => {
        if (e.document !== this.document || this.ended) return;
        const range = this.range();
        void this.end('withdrawn', 'The file was saved while the proposal was pending: the original code was kept.', true);
        e.waitUntil(Promise.resolve([vscode.TextEdit.replace(range, this.toDoc(this.original))]));
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
    );
  }

  /** Aborted when the proposal ends before the model has: the request is cancelled in the worker. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isStreaming(): boolean {
    return this.streaming && !this.ended;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The target's range as it is now (the preview's range while one is shown). */
  range(): vscode.Range {
    return new vscode.Range(this.document.positionAt(this.start), this.document.positionAt(this.start + this.length));
  }

  /** Lines where a pending hunk starts, for its Accept | Reject lens. */
  pendingHunks(): { hunk: number; line: number }[] {
    if (this.isStreaming || this.ended) return [];
    const first = this.document.positionAt(this.start).line;
    const seen = new Set<number>();
    const out: { hunk: number; line: number }[] = [];
    this.preview.forEach((l, i) => {
      if (l.hunk === undefined || seen.has(l.hunk) || this.states[l.hunk] !== 'pending') return;
      seen.add(l.hunk);
      out.push({ hunk: l.hunk, line: first + i });
    });
    return out;
  }

  hunkCount(): number {
    return this.hunks.length;
  }

  /** The model's text so far. */
  append(text: string): void {
    if (this.ended) return;
    this.reply += text;
    this.renderTimer ??= setTimeout(() => {
      this.renderTimer = undefined;
      if (this.isStreaming) this.propose(parseEditReply(this.reply, this.init.reply, { partial: true }));
    }, 30);
  }

  /** The answer is complete: the final parse decides between a proposal and an error. */
  async complete(): Promise<void> {
    if (this.ended) return;
    clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    const parsed = parseEditReply(this.reply, this.init.reply);
    if (!parsed.ok) {
      const said = parsed.reply.trim() ? ` The model said: "${clip(parsed.reply.trim(), 400)}"` : '';
      return this.end('failed', `${parsed.error}${said}`);
    }
    this.streaming = false;
    await this.propose(parsed);
    if (!this.hunks.length) return this.end('unchanged', 'The model proposed no change.');
    this.init.onDidChange();
  }

  decide(hunk: number, state: 'accepted' | 'rejected'): Promise<void> {
    if (this.isStreaming || this.ended || this.states[hunk] !== 'pending') return Promise.resolve();
    this.states[hunk] = state;
    if (this.states.every((s) => s !== 'pending')) return this.end(this.states.some((s) => s === 'accepted') ? 'accepted' : 'rejected');
    return this.render();
  }

  /** Accept all: only once the answer is complete (a half-written proposal is not accepted by accident). */
  acceptAll(): Promise<void> {
    if (this.isStreaming || this.ended) return Promise.resolve();
    this.states = this.states.map((s) => (s === 'pending' ? 'accepted' : s));
    return this.end('accepted');
  }

  /** Reject all, or cancel while the model still writes: the file is left exactly as it was. */
  rejectAll(): Promise<void> {
    if (this.ended) return Promise.resolve();
    const streaming = this.isStreaming;
    this.states = this.states.map(() => 'rejected');
    return this.end(streaming ? 'cancelled' : 'rejected');
  }

  /** Ends with a message (an error, a withdrawal): the original target is put back. */
  fail(message: string, outcome: EditOutcome = 'failed'): Promise<void> {
    return this.end(outcome, message);
  }

  dispose(): void {
    if (!this.ended) void this.rejectAll();
    clearTimeout(this.renderTimer);
    for (const editor of this.editors()) {
      editor.setDecorations(this.init.decorations.removed, []);
      editor.setDecorations(this.init.decorations.added, []);
    }
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private propose(parsed: ReturnType<typeof parseEditReply>): Promise<void> {
    const proposed = parsed.ok && parsed.code ? parsed.code : this.original;
    this.hunks = computeHunks(this.original, proposed);
    this.states = this.hunks.map(() => 'pending');
    return this.render();
  }

  private render(): Promise<void> {
    const run = async () => {
      if (this.ended) return;
      this.preview = previewLines(this.original, this.hunks, this.states);
      await this.write(this.preview.map((l) => l.text).join('\n'), { undoStopBefore: this.firstWrite, undoStopAfter: false });
      this.firstWrite = false;
      this.decorate();
      this.init.onDidChange();
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `restored`: the caller puts the original back itself (a save participant's edit). */
  private end(outcome: EditOutcome, message?: string, restored = false): Promise<void> {
    if (this.ended) return this.queue.then(() => undefined);
    this.ended = true;
    this.outcome = outcome;
    this.abort.abort();
    clearTimeout(this.renderTimer);
    const final = outcome === 'accepted' ? applyHunks(this.original, this.hunks, (i) => this.states[i] === 'accepted') : this.original;
    const run = async () => {
      // The original back first, closing the preview's undo element; then the outcome as its own step.
      if (restored) this.length = this.toDoc(this.original).length;
      else if (!this.firstWrite) await this.write(this.original, { undoStopBefore: false, undoStopAfter: true });
      if (final !== this.original && !restored) await this.write(final, { undoStopBefore: true, undoStopAfter: true });
      this.preview = [];
      this.decorate();
    };
    const done = this.queue.then(run, run).finally(() => {
      this.ended$.fire({ outcome, message });
      this.init.onDidChange();
    });
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Replaces the region with `text` (`\n` line ends) as one edit; our own change is not the user's. */
  private async write(text: string, stops: { undoStopBefore: boolean; undoStopAfter: boolean }): Promise<void> {
    const docText = this.toDoc(text);
    const range = this.range();
    this.writing++;
    try {
      const editor = this.editors()[0];
      let ok: boolean;
      if (editor) ok = await editor.edit((b) => b.replace(range, docText), stops);
      else {
        // No editor shows the document (its tab was switched away): a plain edit, undo stops VS Code's.
        const edit = new vscode.WorkspaceEdit();
        edit.replace(this.document.uri, range, docText);
        ok = await vscode.workspace.applyEdit(edit);
      }
      if (ok) this.length = docText.length;
    } finally {
      this.writing--;
    }
  }

  private documentChanged(e: vscode.TextDocumentChangeEvent): void {
    if (this.ended || !e.contentChanges.length) return;
    const region = { start: this.start, end: this.start + this.length };
    // Our own replacement covers exactly the region; anything else is the user's (or another extension's).
    const ours = this.writing > 0 && e.contentChanges.every((c) => c.rangeOffset >= region.start && c.rangeOffset + c.rangeLength <= region.end);
    if (ours) return;
    const moved = reanchorRegion(region, e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, insertedLength: c.text.length })));
    if (moved) {
      this.start = moved.start;
      this.length = moved.end - moved.start;
      return;
    }
    // The region's own text changed: what stands there now is the user's; the proposal is withdrawn.
    const delta = e.contentChanges.reduce((n, c) => (c.rangeOffset < region.end ? n + c.text.length - c.rangeLength : n), 0);
    const shift = e.contentChanges.reduce((n, c) => (c.rangeOffset + c.rangeLength <= region.start ? n + c.text.length - c.rangeLength : n), 0);
    this.start += shift;
    this.length = Math.max(0, this.length + delta - shift);
    void this.end('withdrawn', 'The code under the proposal was edited, so the proposal was withdrawn and the original put back.');
  }

  private decorate(): void {
    const first = this.document.positionAt(this.start).line;
    const lines = (kind: PreviewLine['kind']) =>
      this.ended ? [] : this.preview.flatMap((l, i) => (l.kind === kind && first + i < this.document.lineCount ? [this.document.lineAt(first + i).range] : []));
    const removed = lines('removed');
    const added = lines('added');
    for (const editor of this.editors()) {
      editor.setDecorations(this.init.decorations.removed, removed);
      editor.setDecorations(this.init.decorations.added, added);
    }
  }

  private editors(): vscode.TextEditor[] {
    return vscode.window.visibleTextEditors.filter((e) => e.document === this.document);
  }

  private toDoc(text: string): string {
    return this.eol === '\n' ? text : text.replace(/\n/g, this.eol);
  }
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}
