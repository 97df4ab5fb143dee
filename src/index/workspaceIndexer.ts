/**
 * The codebase index over VS Code: lists the workspace's files through the one content policy
 * and the index's scope (settings, .gitignore), hands them to the index worker thread, and keeps
 * it current (file watcher, open documents' edits, renames, deletes). The worker starts on the
 * first scan or search, loads what the last session stored (context.storageUri), and re-reads
 * only files whose time or size changed. A status bar item shows a scan's progress (a click
 * stops it) and a partial index.
 *
 * With an embedding model (sovereign.embedding.modelPath), chunks are embedded after each change
 * (embedChunks.ts): the index worker thread gives the chunk texts, the model worker embeds them
 * below completion's priority, and the vectors go back to the index thread, which stores and
 * saves them with the index. A search then embeds the question too and fuses both rankings.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../commands';
import { errorMessage, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { indexKeys, indexSettings, type IndexSettings } from '../config/indexSettings';
import { runtimeKeys } from '../config/runtimeSettings';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { EmbedResult } from '../runtime/protocol';
import type { IndexedFile, SearchHit } from './codeIndex';
import { embedChunks } from './embedChunks';
import type { IndexSummary } from './indexProtocol';
import { compileIndexScope } from './indexScope';
import { IndexWorkerClient } from './indexWorkerClient';

/** A burst of file events (a checkout, a build) becomes one update. */
const fileEventDelayMs = 150;
/** An open document is indexed this long after its last keystroke. */
const editDelayMs = 1000;
/** A workspace bigger than this is listed partially (the index says so). */
const maxListedFiles = 100_000;
/** Files larger than this are not read. */
const maxFileBytes = 1024 * 1024;
/** Chunks per embed request: a stop loses at most these; the progress moves by them. */
const embedBatch = 16;
/** An embedding pass starts this long after the last change (typing makes one pass, not one per pause). */
const embedDelayMs = 3000;

/** The model worker's embeddings (RuntimeClient.embed). */
export interface Embedder {
  embed(texts: string[], signal?: AbortSignal): Promise<EmbedResult>;
}

export interface CodeIndexApi {
  /** The best chunks for a question, best first; empty while the index is off. */
  search(query: string, limit: number): Promise<SearchHit[]>;
  listFiles(): Promise<{ files: IndexedFile[]; refused: string[] }>;
  /** Resolves when no scan or update is pending (after the first scan has started). */
  idle(): Promise<void>;
  /** Writes the index to the workspace storage now. */
  save(): Promise<void>;
  /** Where the index is stored (undefined without a workspace storage). */
  readonly storageFile: string | undefined;
}

export class WorkspaceIndexer implements vscode.Disposable, CodeIndexApi {
  readonly storageFile: string | undefined;
  private client: IndexWorkerClient | undefined;
  private opening: Promise<IndexWorkerClient> | undefined;
  private scan: AbortController | undefined;
  private summary: IndexSummary | undefined;
  private work: Promise<unknown> = Promise.resolve();
  private readonly pendingPaths = new Set<string>();
  private readonly pendingRemovals = new Set<string>();
  private fileTimer: NodeJS.Timeout | undefined;
  private readonly editTimers = new Map<string, NodeJS.Timeout>();
  private scope: ((uri: vscode.Uri) => boolean) | undefined;
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private embedding: AbortController | undefined;
  private embedAgain = false;
  private embedTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** The embedding model's identity when the last query was embedded with it (see embeddingModel()). */
  private queryModel: string | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly config: Config,
    private readonly policy: WorkspaceContentPolicy,
    private readonly log: Log,
    private readonly embedder?: Embedder,
  ) {
    this.storageFile = context.storageUri && join(context.storageUri.fsPath, 'codebase-index.json');
    this.item = vscode.window.createStatusBarItem('sovereign.index', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Sovereign Codebase Index';
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.subscriptions.push(
      this.item,
      watcher,
      watcher.onDidCreate((uri) => this.fileChanged(uri)),
      watcher.onDidChange((uri) => this.fileChanged(uri)),
      watcher.onDidDelete((uri) => this.fileDeleted(uri)),
      vscode.workspace.onDidRenameFiles((e) => {
        for (const f of e.files) {
          this.fileDeleted(f.oldUri);
          this.fileChanged(f.newUri);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.documentEdited(e.document)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rescan()),
      policy.onDidChange(() => this.rescan()),
      config.onDidChange(Object.values(indexKeys), () => this.rescan()),
      config.onDidChange([runtimeKeys.embeddingModelPath], () => {
        // Another model: the pass starts over with it (the index drops the old vectors).
        this.embedding?.abort();
        this.embedSoon(0);
      }),
    );
  }

  private get settings(): IndexSettings {
    return indexSettings(this.config);
  }

  /** Starts the first scan (the worker loads the stored index first, so only changes are read). */
  start(): void {
    if (this.settings.enabled) this.rescan();
  }

  async search(query: string, limit: number): Promise<SearchHit[]> {
    if (!this.settings.enabled) return [];
    const client = await this.worker();
    return client.call('search', { query, limit, embedded: await this.embedQuery(query) });
  }

  /** The query's vector when the index has vectors to compare it with; else lexical only. */
  private async embedQuery(query: string): Promise<{ model: string; vector: number[] } | undefined> {
    if (!this.embedder || !this.summary?.vectors) return undefined;
    const model = await this.embeddingModel();
    if (!model) return undefined;
    try {
      const vector = (await this.embedder.embed([query])).vectors[0];
      return vector.length > 0 ? { model, vector } : undefined;
    } catch (e) {
      if (model !== this.queryModel) this.log.warn(`searching without embeddings: ${errorMessage(e)}`);
      this.queryModel = model;
      return undefined;
    }
  }

  /** The embedding model file as the vectors remember it (path, size, time); undefined: none set. */
  private async embeddingModel(): Promise<string | undefined> {
    const path = this.config.modelPath('embedding');
    if (!path || !this.embedder) return undefined;
    try {
      const s = await stat(path);
      return `${path}:${s.size}:${Math.round(s.mtimeMs)}`;
    } catch {
      return undefined;
    }
  }

  private embedSoon(delayMs = embedDelayMs): void {
    if (this.disposed || !this.embedder || !this.config.modelPath('embedding')) return;
    clearTimeout(this.embedTimer);
    this.embedTimer = setTimeout(() => void this.embedPass(), delayMs);
  }

  /** Embeds every chunk without a vector; one pass at a time (a change during it runs one more). */
  private async embedPass(): Promise<void> {
    if (this.embedding) {
      this.embedAgain = true;
      return;
    }
    const embedder = this.embedder;
    const model = await this.embeddingModel();
    if (!embedder || !model || !this.settings.enabled) return;
    const abort = new AbortController();
    this.embedding = abort;
    this.embedAgain = false;
    const started = performance.now();
    try {
      const client = await this.worker();
      const r = await embedChunks({
        index: (kind, params) =>
          client.call(kind, params).then((r) => {
            if (kind === 'storeVectors') this.summary = r as IndexSummary; // search embeds queries once vectors exist
            return r;
          }),
        embed: async (texts, signal) => (await embedder.embed(texts, signal)).vectors,
        model,
        batchSize: embedBatch,
        signal: abort.signal,
        onProgress: (done, remaining) => {
          if (remaining === 0 || this.scan) return;
          this.item.text = `$(sync~spin) Embedding ${remaining}`;
          this.item.tooltip = `Sovereign is embedding the codebase index with the local embedding model (${done} done, ${remaining} chunks to go; completions go first). Click to stop.`;
          this.item.command = Commands.cancelIndexing;
          this.item.show();
        },
      });
      if (r.embedded > 0 || r.cancelled) this.log.info(`${r.cancelled ? 'stopped embedding' : 'embedded'} ${r.embedded} chunks in ${Math.round(performance.now() - started)} ms`);
    } catch (e) {
      if (!isCancelled(e)) this.log.warn(`embedding stopped: ${errorMessage(e)}`);
    } finally {
      if (this.embedding === abort) this.embedding = undefined;
      if (!this.scan) this.showSummary();
      // A change came during the pass (or the model changed and stopped it): one more pass.
      if (this.embedAgain) this.embedSoon(0);
    }
  }

  async listFiles(): Promise<{ files: IndexedFile[]; refused: string[] }> {
    if (!this.settings.enabled) return { files: [], refused: [] };
    return (await this.worker()).call('list', {});
  }

  async idle(): Promise<void> {
    for (let seen: Promise<unknown> | undefined; seen !== this.work; ) {
      seen = this.work;
      await seen;
    }
  }

  async save(): Promise<void> {
    if (this.client) await this.client.call('save', {});
  }

  /** Drops everything and reads the whole scope again. */
  rebuild(): void {
    this.scan?.abort();
    this.embedding?.abort();
    this.enqueue(async (client) => {
      await client.call('clear', {});
    });
    this.rescan();
  }

  /** Stops the scan and the embedding pass (the next change starts a pass again). */
  cancel(): void {
    this.scan?.abort();
    this.embedding?.abort();
    this.embedAgain = false;
    clearTimeout(this.embedTimer);
  }

  async showIndexedFiles(): Promise<void> {
    const { files, refused } = await this.listFiles();
    const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = files
      .map((f) => ({ uri: vscode.Uri.file(f.path), label: vscode.workspace.asRelativePath(f.path), description: `${f.chunks} chunks, ${Math.ceil(f.chars / 1024)} KB` }))
      .sort((a, b) => a.label.localeCompare(b.label));
    if (refused.length > 0) items.unshift({ label: `${refused.length} files left out: the index is at its memory cap (sovereign.index.maxMegabytes)`, kind: vscode.QuickPickItemKind.Separator });
    const pick = await vscode.window.showQuickPick(items, { title: `Codebase index: ${files.length} files${refused.length > 0 ? ' (partial)' : ''}`, matchOnDescription: true });
    if (pick?.uri) await vscode.window.showTextDocument(pick.uri);
  }

  dispose(): void {
    this.disposed = true;
    this.scan?.abort();
    this.embedding?.abort();
    clearTimeout(this.embedTimer);
    clearTimeout(this.fileTimer);
    for (const t of this.editTimers.values()) clearTimeout(t);
    for (const s of this.subscriptions.splice(0)) s.dispose();
    const client = this.client;
    this.client = undefined;
    // Written before the thread ends, so the next window starts from it.
    void client
      ?.call('save', {})
      .catch(() => undefined)
      .finally(() => void client.dispose());
  }

  private worker(): Promise<IndexWorkerClient> {
    this.opening ??= (async () => {
      const client = new IndexWorkerClient(this.context.asAbsolutePath('dist/indexWorker.js'));
      const opened = await client.call('open', { storageFile: this.storageFile, limits: { maxChars: this.settings.maxChars, maxFileBytes } });
      this.log.info(`${opened.loaded ? `loaded ${opened.files} files${opened.vectors ? ` (${opened.vectors} chunks embedded)` : ''} from the workspace storage` : 'starting empty'}`);
      this.summary ??= opened;
      this.client = client;
      return client;
    })();
    return this.opening;
  }

  /** One change at a time, in order: a scan, then the edits that came during it. */
  private enqueue(job: (client: IndexWorkerClient) => Promise<void>): void {
    this.work = this.work
      .then(async () => job(await this.worker()))
      .catch((e: unknown) => this.log.warn(`${errorMessage(e)}`));
  }

  private rescan(): void {
    this.scan?.abort();
    if (!this.settings.enabled) {
      this.item.hide();
      return;
    }
    const abort = new AbortController();
    this.scan = abort;
    this.enqueue(async (client) => {
      if (abort.signal.aborted) return;
      this.scope = await this.compileScope();
      const paths = await this.listWorkspace();
      if (abort.signal.aborted) return;
      this.item.command = Commands.cancelIndexing;
      this.item.tooltip = 'Sovereign is indexing the workspace on this machine. Click to stop.';
      const started = performance.now();
      const show = (done: number, total: number) => {
        this.item.text = `$(sync~spin) Indexing ${done}/${total}`;
        this.item.show();
      };
      show(0, paths.length);
      try {
        // The cap is read per scan: raising it indexes what was left out.
        const r = await client.call('update', { paths, complete: true, limits: { maxChars: this.settings.maxChars, maxFileBytes } }, { signal: abort.signal, onProgress: show });
        this.summary = r;
        this.embedSoon(0);
        this.log.info(`${r.cancelled ? 'stopped' : 'scanned'} ${paths.length} files in ${Math.round(performance.now() - started)} ms: ${r.indexed} read, ${r.unchanged} unchanged, ${r.removed} removed, skipped ${JSON.stringify(r.skipped)}; ${r.files} files, ${r.chunks} chunks${r.partial ? ', PARTIAL (memory cap)' : ''}`);
      } finally {
        if (this.scan === abort) this.scan = undefined;
        this.showSummary();
      }
    });
  }

  private showSummary(): void {
    if (this.summary?.partial) {
      this.item.text = '$(warning) Index partial';
      this.item.tooltip = `The codebase index holds ${this.summary.files} files; ${this.summary.refused} more are left out at its memory cap (sovereign.index.maxMegabytes). Click to see what is indexed.`;
      this.item.command = Commands.showIndexedFiles;
      this.item.show();
    } else this.item.hide();
  }

  private async compileScope(): Promise<(uri: vscode.Uri) => boolean> {
    const s = this.settings;
    const byFolder = new Map<string, (relativePath: string) => boolean>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const ignoreFiles = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/.gitignore'), '**/node_modules/**', 1000);
      const gitignore = await Promise.all(
        ignoreFiles.map(async (uri) => {
          const rel = vscode.workspace.asRelativePath(uri, false);
          const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
          return { dir, text: Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8') };
        }),
      );
      byFolder.set(folder.uri.toString(), compileIndexScope({ include: s.include, exclude: s.exclude, gitignore }));
    }
    return (uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const inScope = folder && byFolder.get(folder.uri.toString());
      return uri.scheme === 'file' && !!inScope && inScope(vscode.workspace.asRelativePath(uri, false)) && this.policy.check('gathered', uri).allowed;
    };
  }

  private async listWorkspace(): Promise<string[]> {
    const paths: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      // Passing our own excludes drops VS Code's files.exclude here; the content policy applies it.
      const skip = `{${['**/node_modules/**', '**/.git/**', ...this.settings.exclude.map((p) => (p.includes('/') ? p : `**/${p}/**`))].join(',')}}`;
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), skip, maxListedFiles);
      for (const uri of uris) if (this.scope?.(uri)) paths.push(uri.fsPath);
    }
    return paths;
  }

  private fileChanged(uri: vscode.Uri): void {
    if (!this.settings.enabled || !this.scope) return;
    if (uri.path.endsWith('/.gitignore')) return this.rescan();
    if (!this.scope(uri)) return;
    this.pendingPaths.add(uri.fsPath);
    this.pendingRemovals.delete(uri.fsPath);
    this.flushSoon();
  }

  private fileDeleted(uri: vscode.Uri): void {
    if (!this.settings.enabled || uri.scheme !== 'file') return;
    this.pendingRemovals.add(uri.fsPath);
    this.pendingPaths.delete(uri.fsPath);
    this.flushSoon();
  }

  private flushSoon(): void {
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => {
      const paths = [...this.pendingPaths];
      const removed = [...this.pendingRemovals];
      this.pendingPaths.clear();
      this.pendingRemovals.clear();
      this.enqueue(async (client) => {
        if (removed.length > 0) this.summary = await client.call('remove', { paths: removed });
        // A created folder arrives as one event: its files are listed here. The scope is asked
        // again now, not when the event came: a rescan queued before this job may have changed it
        // (a setting just changed; seen in the integration suite, where the event came late).
        const files = (await Promise.all(paths.map((p) => this.filesAt(vscode.Uri.file(p))))).flat().filter((p) => this.scope?.(vscode.Uri.file(p)));
        if (files.length > 0) this.summary = await client.call('update', { paths: files, complete: false });
        this.showSummary();
        this.embedSoon();
      });
    }, fileEventDelayMs);
  }

  private async filesAt(uri: vscode.Uri): Promise<string[]> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.type & vscode.FileType.Directory) {
        const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), '**/node_modules/**', maxListedFiles);
        return uris.filter((u) => this.scope?.(u)).map((u) => u.fsPath);
      }
      return [uri.fsPath];
    } catch {
      return []; // gone again
    }
  }

  private documentEdited(document: vscode.TextDocument): void {
    if (!this.settings.enabled || !this.scope || document.uri.scheme !== 'file' || !this.scope(document.uri)) return;
    const key = document.uri.fsPath;
    clearTimeout(this.editTimers.get(key));
    this.editTimers.set(
      key,
      setTimeout(() => {
        this.editTimers.delete(key);
        if (document.isClosed || document.getText().length > maxFileBytes) return;
        const text = document.getText();
        if (!this.policy.check('gathered', document, text).allowed) return;
        this.enqueue(async (client) => {
          if (!this.scope?.(document.uri)) return; // the scope may have changed while this waited
          this.summary = await client.call('setText', { path: key, text, version: document.version });
          this.embedSoon();
        });
      }, editDelayMs),
    );
  }
}
