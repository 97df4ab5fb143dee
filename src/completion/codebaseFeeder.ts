import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import type { Log } from '../common/log';
import { completionEnabledFor, type CompletionEditorSettings } from '../config/completionSettings';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { CodeIndexApi } from '../index/workspaceIndexer';
import { CodebaseContext } from './codebaseContext';
import type { ChunkRef } from './codebaseExtras';
import { defaultCodebaseLimits, type CodebaseCursor, type CodebaseSources } from './codebaseLookup';
import { ContextFeedScheduler } from './contextFeedScheduler';
import type { ContextRing } from './contextRing';

/** A file larger than this is not read for a definition (the index skips them too). */
const maxFileBytes = 1024 * 1024;

export interface CodebaseFeederOptions {
  ring: ContextRing;
  policy: WorkspaceContentPolicy;
  index: Pick<CodeIndexApi, 'search'>;
  settings(): CompletionEditorSettings;
  lastCompletionAt(): number;
  onChanged(): void;
  log: Log;
}

/**
 * Relevant code from other files for completion (sovereign.completion.codebaseContext): when the
 * cursor rests, the codebase index and the language's definition provider are asked about the
 * code around it (CodebaseContext), and what they find enters the ring the way opened and edited
 * code does: the content policy checks the file before it is read and the text before it enters.
 */
export function registerCodebaseFeeder(options: CodebaseFeederOptions): vscode.Disposable {
  const { ring, policy, log } = options;
  const scheduler = new ContextFeedScheduler<{ uri: vscode.Uri; path: string }>({
    ring,
    // The text comes with each offer: only the path is read from here.
    documentOf: (key) => ({ path: key.path, lineCount: 0, lineAt: () => '' }),
    admits: (key, text) => policy.check('gathered', key.uri, text).allowed,
    lastCompletionAt: options.lastCompletionAt,
    onChanged: options.onChanged,
  });
  const context = new CodebaseContext({
    sources: vscodeSources(options),
    limits: () => defaultCodebaseLimits,
    present: () => ring.list(),
    offer: (extra) => scheduler.offer({ uri: vscode.Uri.parse(extra.file), path: extra.path }, extra.startLine - 1, extra.text),
    failed: (e) => log.debug(`codebase context: look-up failed: ${errorMessage(e)}`),
  });

  const cursor = (): CodebaseCursor | undefined => {
    const editor = vscode.window.activeTextEditor;
    const settings = options.settings();
    if (!editor || !settings.codebaseContext) return undefined;
    const document = editor.document;
    // Nothing is asked for a file completion skips (its language is off, the policy refuses it).
    if (!completionEnabledFor(settings, document.languageId) || !policy.check('editing', document).allowed) return undefined;
    const line = editor.selection.active.line;
    const file = document.uri.toString();
    return {
      file,
      doc: { lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text },
      line,
      window: { file, startLine: Math.max(1, line + 1 - settings.prefixLines), endLine: line + 1 + settings.suffixLines },
    };
  };
  const moved = () => context.cursorMoved(cursor);

  return vscode.Disposable.from(
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (e.textEditor === vscode.window.activeTextEditor) moved();
    }),
    vscode.window.onDidChangeActiveTextEditor(moved),
    context,
    scheduler,
  );
}

function vscodeSources(options: CodebaseFeederOptions): CodebaseSources {
  const { policy, index } = options;
  return {
    async search(query, limit) {
      const hits = await index.search(query, limit);
      return hits.map((h) => ({ file: vscode.Uri.file(h.path).toString(), startLine: h.startLine, endLine: h.endLine }));
    },
    async definitions(file, at) {
      const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[] | undefined>('vscode.executeDefinitionProvider', vscode.Uri.parse(file), new vscode.Position(at.line, at.character));
      const refs: ChunkRef[] = [];
      for (const d of found ?? []) {
        // A link's target range is the whole declaration; a location names only the identifier.
        const [uri, range] = 'targetUri' in d ? [d.targetUri, d.targetRange] : [d.uri, d.range];
        refs.push({ file: uri.toString(), startLine: range.start.line + 1, endLine: range.end.line + 1 });
      }
      return refs;
    },
    async read(file) {
      const uri = vscode.Uri.parse(file);
      if (!policy.check('gathered', uri).allowed) return undefined;
      const path = vscode.workspace.asRelativePath(uri, false);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file);
      if (open) return { path, doc: { lineCount: open.lineCount, lineAt: (i) => open.lineAt(i).text } };
      if ((await vscode.workspace.fs.stat(uri)).size > maxFileBytes) return undefined;
      const content = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
      if (!policy.check('gathered', { uri, content }).allowed) return undefined;
      const lines = content.split(/\r?\n/);
      return { path, doc: { lineCount: lines.length, lineAt: (i) => lines[i] } };
    },
  };
}
