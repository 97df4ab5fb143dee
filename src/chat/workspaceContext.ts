import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import type { Log } from '../common/log';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { SearchHit } from '../index/codeIndex';
import type { CodeIndexApi } from '../index/workspaceIndexer';
import { findCitations, locationLabel, normalizePath, type SourceLocation } from './citations';
import { languageOf, type CollectedContext } from './contextAttachments';
import { chunkAt, mergeChunks } from './mergeChunks';
import { clipCharsFor } from './prepareChat';
import { identifiersIn, retrievalQuery, withoutMention } from './workspaceQuery';

/** Chunks sent with an @workspace question at most (the window fitting may send fewer). */
export const maxChunks = 8;
/** The symbol providers get this long for all identifiers together; what is not ready is skipped (the index still answers). */
const symbolBudgetMs = 300;
/** Index hits searched per identifier to find the chunk that holds its definition. */
const definitionSearchLimit = 30;
/** A long answer is not checked past this many `path:line` candidates. */
const maxCitationPaths = 50;
const useWorkspaceKey = 'sovereign.chat.useWorkspace';

/** A retrieved chunk: an attachment like a file's, with where it is. */
export type RetrievedChunk = CollectedContext['attachments'][number] & { location: SourceLocation; uri: vscode.Uri };

/**
 * @workspace in chat: the chunks of the codebase index that answer a question (definitions of the
 * identifiers it names first), read fresh and checked by the content policy as they are sent; and
 * the way back from an answer: which `path:line` mentions name workspace files, and opening them.
 */
export class WorkspaceContext {
  constructor(
    private readonly index: CodeIndexApi,
    private readonly policy: WorkspaceContentPolicy,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {}

  /** The toggle: every message asks the codebase, not only those that say @workspace. */
  get alwaysOn(): boolean {
    return this.state.get<boolean>(useWorkspaceKey) ?? false;
  }

  setAlwaysOn(value: boolean): Thenable<void> {
    return this.state.update(useWorkspaceKey, value);
  }

  /** The chunks for `question` (and the conversation's recent questions), as attachments: chips, fitting and notes treat them like files. */
  async retrieve(question: string, earlierQuestions: readonly string[], windowTokens: number): Promise<RetrievedChunk[]> {
    // Nothing typed yet: the chips would show the last question's code, which the next one may not want.
    if (!withoutMention(question)) return [];
    const query = retrievalQuery(question, earlierQuestions);
    const [hits, definitions] = await Promise.all([this.index.search(query, maxChunks), this.definitions(identifiersIn(question))]);
    const chunks = mergeChunks(definitions, hits, maxChunks);
    const maxChars = clipCharsFor(windowTokens);
    const texts = new Map<string, Promise<{ lines: string[]; language: string } | undefined>>();
    const out: RetrievedChunk[] = [];
    for (const [i, c] of chunks.entries()) {
      const uri = vscode.Uri.file(c.path);
      // The index obeys the policy already; a rule added since it indexed the file applies here.
      if (!this.policy.check('gathered', uri).allowed) continue;
      if (!texts.has(c.path)) texts.set(c.path, readLines(uri));
      const file = await texts.get(c.path);
      if (!file) continue;
      const endLine = Math.min(c.endLine, file.lines.length);
      const text = file.lines.slice(c.startLine - 1, endLine).join('\n').slice(0, maxChars);
      if (!text.trim() || !this.policy.check('gathered', uri, text).allowed) continue;
      const location = { path: vscode.workspace.asRelativePath(uri, false), line: c.startLine, endLine };
      out.push({ id: `w${i}`, kind: 'chunk', label: locationLabel(location), detail: `From the codebase index: ${uri.fsPath}, lines ${c.startLine}–${endLine}`, language: file.language, text, location, uri });
    }
    return out;
  }

  /** Of the `path:line` mentions in `text`, the paths that are files of the workspace: only those become links. */
  async citationTargets(text: string): Promise<string[]> {
    const paths = [...new Set(findCitations(text).map((c) => c.path))].slice(0, maxCitationPaths);
    const found = await Promise.all(paths.map(async (p) => ((await this.resolve(p)) ? p : undefined)));
    return found.filter((p): p is string => p !== undefined);
  }

  /** Opens a chip, a Sources link or a citation: only a file that exists in a workspace folder, at the line, the range selected. */
  async open(location: SourceLocation): Promise<void> {
    const uri = await this.resolve(location.path);
    if (!uri) {
      vscode.window.setStatusBarMessage(`$(warning) ${location.path} is not a file of this workspace`, 4000);
      return;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      vscode.window.setStatusBarMessage(`$(warning) ${location.path} cannot be opened: ${errorMessage(e)}`, 4000);
      return;
    }
    const last = Math.max(0, doc.lineCount - 1);
    const start = Math.min(location.line - 1, last);
    const end = Math.min((location.endLine ?? location.line) - 1, last);
    const editor = await vscode.window.showTextDocument(doc, { preview: true });
    // Anchored at the range's end, the cursor on its first line (the status bar shows the cited line);
    // set here, not through showTextDocument's `selection`, which is a Range and puts the cursor at the end.
    editor.selection = new vscode.Selection(end, end === start ? 0 : doc.lineAt(end).text.length, start, 0);
    editor.revealRange(new vscode.Range(start, 0, end, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** A workspace-relative path → the file in the first workspace folder that has it; never anything outside them. */
  private async resolve(path: string): Promise<vscode.Uri | undefined> {
    if (normalizePath(path) !== path) return undefined;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, ...path.split('/'));
      try {
        if ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) return uri;
      } catch {
        // not in this folder
      }
    }
    return undefined;
  }

  /**
   * The index chunks that hold the definitions of `names`, in their order, from the workspace
   * symbol providers (the language knows which occurrence is the definition). Bounded: a provider
   * that is still starting (a language server) is not waited for.
   */
  private async definitions(names: string[]): Promise<SearchHit[]> {
    if (names.length === 0) return [];
    const found: (SearchHit | undefined)[] = names.map(() => undefined);
    const lookups = names.map(async (name, i) => {
      const symbols = (await vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>('vscode.executeWorkspaceSymbolProvider', name)) ?? [];
      const definition = symbols.find((s) => s.name === name && s.location && vscode.workspace.getWorkspaceFolder(s.location.uri));
      if (!definition) return;
      // The chunk of the index that holds it: the index's scope and policy decide what is sent, not the provider's.
      const hits = await this.index.search(name, definitionSearchLimit);
      found[i] = chunkAt(hits, definition.location.uri.fsPath, definition.location.range.start.line + 1);
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => (timer = setTimeout(resolve, symbolBudgetMs)));
    await Promise.race([Promise.allSettled(lookups).then((results) => {
      for (const r of results) if (r.status === 'rejected') this.log.debug(`workspace symbols: ${errorMessage(r.reason)}`);
    }), budget]);
    clearTimeout(timer);
    return found.filter((h): h is SearchHit => h !== undefined);
  }
}

/** An open document's lines (unsaved edits included), else the file's. */
async function readLines(uri: vscode.Uri): Promise<{ lines: string[]; language: string } | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return { lines: open.getText().split(/\r?\n/), language: open.languageId };
  try {
    const text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    return { lines: text.split(/\r?\n/), language: languageOf(uri) };
  } catch {
    return undefined;
  }
}
