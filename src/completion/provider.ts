import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import { errorMessage } from '../common/errors';
import { Emitter } from '../common/disposable';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import type { ExclusionFilter } from '../config/exclusionFilter';
import { SettingKeys } from '../config/settingKeys';
import type { CompletionEngine, CompletionInput } from './completionEngine';
import { binarySniffChars, looksBinary } from './binaryText';
import { completionInputAt } from './completionWindow';

/**
 * The VS Code side of completion: turns a document and position into bounded text windows and
 * hands them to the engine. Never shows a notification: failures go to the status bar (through
 * the runtime state) and the log. VS Code cancels the token of a stale request; it becomes the
 * AbortSignal the worker stops generating on.
 */
export class CompletionProvider implements vscode.InlineCompletionItemProvider {
  private paused = false;
  private readonly pausedEmitter = new Emitter<boolean>();
  readonly onDidChangePaused = this.pausedEmitter.event;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly config: Config,
    private readonly exclusions: ExclusionFilter,
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
    if (!this.enabledFor(document, manual)) return undefined;
    const input = this.inputFor(document, position);
    if (!input) return undefined;

    try {
      const suggestion = await this.engine.provide(input, toAbortSignal(token), manual);
      if (!suggestion || token.isCancellationRequested) return undefined;
      if (suggestion.stats) {
        const s = suggestion.stats;
        this.log.debug(`${s.totalMs} ms: reused ${s.reusedTokens}, evaluated ${s.evaluatedTokens}, generated ${s.generatedTokens} (${s.stop})`);
      }
      const range = suggestion.replaceIndent ? new vscode.Range(position.line, 0, position.line, position.character) : new vscode.Range(position, position);
      return [new vscode.InlineCompletionItem(suggestion.text, range)];
    } catch (e) {
      this.log.warn(`completion failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** The bounded text at `position`, or undefined where no model may be asked (no model, a secret or binary file). */
  inputFor(document: vscode.TextDocument, position: vscode.Position): CompletionInput | undefined {
    if (!this.configured() || this.exclusions.excluded(document.uri) || isBinaryDocument(document)) return undefined;
    const input = completionInput(document, position, this.config);
    return looksBinary(input.prefix) || looksBinary(input.suffix) ? undefined : input;
  }

  private enabledFor(document: vscode.TextDocument, manual: boolean): boolean {
    if (!this.config.get<boolean>(SettingKeys.completionEnabled)) return false;
    if (this.paused && !manual) return false;
    const languages = this.config.get<Record<string, boolean>>(SettingKeys.completionLanguages) ?? {};
    return languages[document.languageId] ?? languages['*'] ?? true;
  }
}

/** A binary file (a NUL near its start) gets no completion and never enters the context ring. */
export function isBinaryDocument(document: vscode.TextDocument): boolean {
  return looksBinary(document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(binarySniffChars))));
}

export function completionInput(document: vscode.TextDocument, position: vscode.Position, config: Config): CompletionInput {
  const settings = {
    prefixLines: config.get<number>(SettingKeys.completionPrefixLines),
    suffixLines: config.get<number>(SettingKeys.completionSuffixLines),
    maxPrefixTokens: config.get<number>(SettingKeys.completionMaxPrefixTokens),
    maxSuffixTokens: config.get<number>(SettingKeys.completionMaxSuffixTokens),
  };
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  return completionInputAt({ lineCount: document.lineCount, lineAt: (i) => document.lineAt(i).text }, position.line, position.character, settings, {
    filePath: folder ? vscode.workspace.asRelativePath(document.uri, false) : undefined,
    repoName: folder?.name,
  });
}
