import * as vscode from 'vscode';
import { binarySniffChars, compileContentPolicy, type ContentPolicy, type ContentUse, type Verdict } from '../common/contentPolicy';
import { defaultContextExclude, enabledGlobs } from '../common/exclusions';
import { SettingKeys, section } from './settingKeys';

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

  /** Before reading anything: the scheme, the workspace and the exclusion globs. */
  uri(uri: vscode.Uri, use: ContentUse): Verdict {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return this.policy.place({ scheme: uri.scheme, path: uri.path, folder: folder && { key: folder.uri.toString(), relativePath: vscode.workspace.asRelativePath(uri, false) } }, use);
  }

  /** An open document as a whole: its place, and binary content near its start. */
  document(document: vscode.TextDocument, use: ContentUse): Verdict {
    const place = this.uri(document.uri, use);
    if (!place.allowed) return place;
    // Only the start is copied out of the document: a 5 MB file costs no more than a small one.
    return this.policy.start(document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(binarySniffChars))));
  }

  /** A file's whole content read from disk (not open as a document): as `document`. */
  file(uri: vscode.Uri, content: string, use: ContentUse): Verdict {
    const place = this.uri(uri, use);
    return place.allowed ? this.policy.start(content) : place;
  }

  /** Text about to be sent from an allowed document (a window, a chunk, a selection, a clipped file). */
  text(text: string): Verdict {
    return this.policy.text(text);
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
