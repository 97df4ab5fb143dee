import * as vscode from 'vscode';
import type { ChatBackend } from '../chat/chatBackend';
import { Commands } from '../commands';
import { describeRefusal } from '../common/contentPolicy';
import { errorMessage, isCancelled } from '../common/errors';
import type { Log } from '../common/log';
import { chatSettings } from '../config/chatSettings';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import { cleanCommitMessage } from './cleanCommitMessage';
import { buildCommitPrompt, type CommitPrompt } from './commitPrompt';
import { gitApi, pickRepository, type GitRepository } from './gitApi';

/** Set while a message is being written: the Source Control title shows Stop instead of the sparkle. */
const writingContext = 'sovereign.writingCommitMessage';

type Prepared = { repository: GitRepository; prompt: CommitPrompt } | { problem: string; action?: 'selectChatModel' };

/**
 * The Source Control title's "Write Commit Message": the staged diff (the unstaged one when
 * nothing is staged), through the content policy and cut to the chat model's window, streamed by
 * the chat backend (embedded worker or team server, behind completion in the worker's queue)
 * into the commit input box. Clicking again, or Stop, cancels and puts back what was there.
 */
export function registerCommitMessage(backend: ChatBackend, config: Config, policy: WorkspaceContentPolicy, log: Log): vscode.Disposable {
  let writing: AbortController | undefined;

  const setWriting = (controller: AbortController | undefined) => {
    writing = controller;
    void vscode.commands.executeCommand('setContext', writingContext, !!controller);
  };

  async function prepare(clicked: unknown, signal: AbortSignal): Promise<Prepared> {
    if (!backend.describe()) return { problem: 'writing a commit message needs a chat model. Choose one, then try again.', action: 'selectChatModel' };
    const api = await gitApi();
    if (typeof api === 'string') return { problem: api };
    const repository = pickRepository(api, clicked);
    if (!repository) return { problem: 'no Git repository is open in this window.' };
    let staged = true;
    let diff = await repository.diff(true);
    if (!diff.trim()) {
      staged = false;
      diff = await repository.diff(false);
    }
    if (!diff.trim()) return { problem: 'there are no changes to describe: nothing is staged and no tracked file changed (stage new files first).' };
    const model = await backend.load(signal);
    const prompt = await buildCommitPrompt({
      diff,
      staged,
      refuse: (paths, hunks) => {
        for (const path of paths) {
          const verdict = policy.check('chosen', vscode.Uri.joinPath(repository.rootUri, path), hunks);
          if (!verdict.allowed) return describeRefusal(verdict.reason);
        }
        return undefined;
      },
      windowTokens: model.contextSize,
      maxAnswerTokens: chatSettings(config).maxTokens,
      count: (texts) => backend.countTokens(texts, signal),
      measure: (messages) => backend.chatPromptTokens(messages, signal),
    });
    if (!prompt.ok) return { problem: prompt.notes.join(' ') };
    return { repository, prompt };
  }

  async function write(clicked: unknown): Promise<void> {
    if (writing) {
      writing.abort();
      return;
    }
    const controller = new AbortController();
    setWriting(controller);
    const { signal } = controller;
    let restore: (() => void) | undefined;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.SourceControl, title: 'Writing a commit message' }, async () => {
        const prepared = await prepare(clicked, signal);
        if ('problem' in prepared) {
          void vscode.window.showWarningMessage(`Sovereign: ${prepared.problem}`, ...(prepared.action ? ['Select Chat Model…'] : [])).then((choice) => {
            if (choice) void vscode.commands.executeCommand(Commands.selectChatModel);
          });
          return;
        }
        const { repository, prompt } = prepared;
        const before = repository.inputBox.value;
        restore = () => (repository.inputBox.value = before);
        // Shown at once, not after the answer: the user reads what the model was not given while it writes.
        if (prompt.notes.length) void vscode.window.showInformationMessage(`Sovereign: ${prompt.notes.join(' ')}`);
        let reply = '';
        const result = await backend.chat(prompt.messages, {
          maxTokens: prompt.maxTokens,
          signal,
          onText: (text) => {
            reply += text;
            const message = cleanCommitMessage(reply);
            if (message) repository.inputBox.value = message;
          },
        });
        if (result.stopped || signal.aborted) {
          restore();
          return;
        }
        const message = cleanCommitMessage(result.text);
        if (!message) {
          restore();
          void vscode.window.showWarningMessage(`Sovereign: the chat model's reply held no commit message: "${result.text.trim().slice(0, 200)}"`);
          return;
        }
        repository.inputBox.value = message;
      });
    } catch (e) {
      restore?.();
      if (!isCancelled(e)) {
        log.warn(`commit message failed: ${errorMessage(e)}`);
        void vscode.window.showErrorMessage(`Sovereign could not write a commit message: ${errorMessage(e)}`);
      }
    } finally {
      setWriting(undefined);
    }
  }

  return vscode.Disposable.from(
    vscode.commands.registerCommand(Commands.writeCommitMessage, write),
    vscode.commands.registerCommand(Commands.stopCommitMessage, () => writing?.abort()),
    { dispose: () => writing?.abort() },
  );
}
