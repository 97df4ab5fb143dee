import * as vscode from 'vscode';
import { delay, toAbortSignal } from '../common/cancellation';
import { isCancelled, errorMessage } from '../common/errors';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import { SettingKeys } from '../config/settingKeys';
import type { RuntimeClient } from '../runtime/client';
import { documentWindow } from './documentWindow';
import { postprocess } from './postprocess';

const prefixLines = 256;
const suffixLines = 64;

/**
 * Ghost-text completion. Never shows a notification: failures go to the status bar (through the
 * runtime state) and the log. Every stale request is cancelled down to the model by VS Code's
 * token, which becomes the AbortSignal the worker stops on.
 */
export class CompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly client: RuntimeClient,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!this.config.get<boolean>(SettingKeys.completionEnabled)) return undefined;
    if (!this.config.modelPath('completion')) return undefined;
    const signal = toAbortSignal(token);
    // Let a burst of keystrokes settle; each new keystroke cancels this token.
    if (!(await delay(this.config.get<number>(SettingKeys.completionDebounceMs), signal))) return undefined;

    const first = Math.max(0, position.line - prefixLines);
    const last = Math.min(document.lineCount - 1, position.line + suffixLines);
    const lines: string[] = [];
    for (let i = first; i <= last; i++) lines.push(document.lineAt(i).text);
    const window = documentWindow(lines, position.line - first, position.character, { prefixLines, suffixLines });

    try {
      const result = await this.client.complete(
        {
          prefix: window.prefix,
          suffix: window.suffix,
          maxTokens: this.config.get<number>(SettingKeys.completionMaxTokens),
          maxPrefixTokens: 1536,
          maxSuffixTokens: 512,
        },
        signal,
      );
      const text = postprocess(result.text, window.lineSuffix);
      this.log.debug(
        `completion: ${result.stats.totalMs} ms, reused ${result.stats.reusedTokens}, evaluated ${result.stats.evaluatedTokens}, generated ${result.stats.generatedTokens}`,
      );
      if (!text || token.isCancellationRequested) return undefined;
      return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
    } catch (e) {
      if (!isCancelled(e)) this.log.warn(`completion failed: ${errorMessage(e)}`);
      return undefined;
    }
  }
}
