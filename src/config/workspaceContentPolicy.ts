import * as vscode from 'vscode';
import { binarySniffChars, compileContentPolicy, type ContentPolicy, type ContentUse, type Verdict } from '../common/contentPolicy';
import { defaultContextExclude, enabledGlobs } from '../common/exclusions';
import { SettingKeys, section } from './settingKeys';

/** Where text comes from: a URI not read yet, an open document, or a file's content read from disk. */
export type ContentSource = vscode.Uri | vscode.TextDocument | { uri: vscode.Uri; content: string };

const contextExcludeKey = `${section}.${SettingKeys.contextExclude}`;

/**
 * The content policy (common/contentPolicy.ts) over VS Code: compiled once, and again when
 * `sovereign.context.exclude`, `files.exclude` or the workspace folders change. Every feature
 * that sends text to a model asks this one object.
 */
export class WorkspaceContentPolicy implements vscode.Disposable {
  private policy!: ContentPolicy;
  private readonly changed = new vscode.EventEmitter<void>();
  /** The rules changed: what was allowed or refused may now be answered differently. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.compile();
    const recompile = () => {
      this.compile();
      this.changed.fire();
    };
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(contextExcludeKey) || e.affectsConfiguration('files.exclude')) recompile();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(recompile),
    ];
  }

  /**
   * May `sent` reach a model as `use`? `from` is where it comes from: a URI (decided before
   * anything is read: scheme, workspace, exclusions), an open document, or a file's content read
   * from disk (then also binary content near its start). `sent` is the text itself (a window, a
   * chunk, a selection, a clipped file), checked whole.
   */
  check(use: ContentUse, from: ContentSource, ...sent: string[]): Verdict {
    const uri = from instanceof vscode.Uri ? from : from.uri;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const place = { scheme: uri.scheme, path: uri.path, folder: folder && { key: folder.uri.toString(), relativePath: vscode.workspace.asRelativePath(uri, false) } };
    const start = from instanceof vscode.Uri ? undefined : 'content' in from ? from.content : startOf(from);
    return this.policy.check(use, place, start, sent);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private compile(): void {
    // files.exclude is resource-scoped: read per folder (a folder's .vscode/settings.json may add
    // globs), and with `null` for files in no folder, which VS Code accepts without a warning.
    const folders = Object.fromEntries((vscode.workspace.workspaceFolders ?? []).map((f) => [f.uri.toString(), enabledGlobs(vscode.workspace.getConfiguration('files', f.uri).get('exclude'))]));
    const contextExclude = vscode.workspace.getConfiguration(section, null).get<unknown>(SettingKeys.contextExclude);
    this.policy = compileContentPolicy({
      contextExclude: Array.isArray(contextExclude) ? contextExclude.filter((p): p is string => typeof p === 'string') : defaultContextExclude,
      filesExclude: { folders, elsewhere: enabledGlobs(vscode.workspace.getConfiguration('files', null).get('exclude')) },
    });
  }
}

/** Only the start is copied out of a document: a 5 MB file costs no more than a small one. */
function startOf(document: vscode.TextDocument): string {
  return document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(binarySniffChars)));
}
