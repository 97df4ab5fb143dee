import * as vscode from 'vscode';
import { Commands } from '../commands';
import type { Log } from '../common/log';
import type { Config } from '../config/config';
import type { WorkspaceContentPolicy } from '../config/workspaceContentPolicy';
import type { CodeIndexApi } from '../index/workspaceIndexer';
import type { ChatBackend } from './chatBackend';
import { ChatController } from './chatController';
import { ChatViewProvider, chatViewType } from './chatView';
import { CodeProposals } from './codeProposals';
import { ContextAttachments } from './contextAttachments';
import { ConversationStore } from './conversationStore';
import { registerChatParticipant } from './chatParticipant';
import { registerLanguageModelProvider } from './languageModelProvider';
import { WorkspaceContext } from './workspaceContext';

/** Read by the integration tests through the extension's API. */
export interface ChatApi {
  snapshot(): ReturnType<ChatController['snapshot']>;
  /** What the next message would carry (each attachment's text before fitting; with `question`, what it retrieves @workspace), and what was refused with the reason shown. */
  nextContext(windowTokens: number, question?: string): Promise<{ sent: { label: string; text: string }[]; refused: { label: string; note: string }[] }>;
  /** Of the `path:line` mentions in an answer's text, the paths the chat view links (files of the workspace). */
  citationTargets(text: string): Promise<string[]>;
  /** Workspace-relative paths the "@" picker (Add File to Chat) offers. */
  pickableFiles(): Promise<string[]>;
}

/** The chat view and its commands; everything it creates is owned by the returned disposable. */
export function registerChat(
  context: vscode.ExtensionContext,
  backend: ChatBackend,
  config: Config,
  policy: WorkspaceContentPolicy,
  codeIndex: CodeIndexApi,
  log: Log,
): { disposable: vscode.Disposable; api: ChatApi } {
  const provider = new ChatViewProvider(context.extensionUri);
  const attachments = new ContextAttachments(context.workspaceState, policy);
  const proposals = new CodeProposals();
  const workspace = new WorkspaceContext(codeIndex, policy, context.workspaceState, log);
  const controller = new ChatController(provider, backend, config, log, new ConversationStore(context.workspaceState), context.workspaceState, attachments, proposals, workspace);
  provider.setHandler(controller);
  const disposable = vscode.Disposable.from(
    controller,
    proposals,
    attachments,
    provider,
    vscode.window.registerWebviewViewProvider(chatViewType, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    registerLanguageModelProvider(backend, config),
    registerChatParticipant(backend, config, workspace),
    // From the explorer and editor title the clicked file comes as the argument; from the palette, none.
    vscode.commands.registerCommand(Commands.chatAboutFile, (uri?: unknown) => controller.chatAboutFile(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(Commands.askAboutSelection, () => controller.askAboutSelection()),
    vscode.commands.registerCommand(Commands.addFileToChat, () => controller.pickFiles()),
    vscode.commands.registerCommand(Commands.newChat, () => controller.newChat()),
    vscode.commands.registerCommand(Commands.showChats, () => controller.showHistory()),
    vscode.commands.registerCommand(Commands.acceptProposal, (uri?: unknown) => proposals.accept(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand(Commands.rejectProposal, (uri?: unknown) => proposals.reject(uri instanceof vscode.Uri ? uri : undefined)),
  );
  const api: ChatApi = {
    snapshot: () => controller.snapshot(),
    nextContext: async (windowTokens, question) => {
      const collected = question === undefined ? await attachments.collect(windowTokens) : await controller.collect(question, windowTokens, []);
      return { sent: collected.attachments.map((a) => ({ label: a.label, text: a.text })), refused: collected.refused.map((c) => ({ label: c.label, note: c.note ?? '' })) };
    },
    citationTargets: (text) => workspace.citationTargets(text),
    pickableFiles: async () => (await attachments.pickableFiles()).map((uri) => vscode.workspace.asRelativePath(uri, false)),
  };
  return { disposable, api };
}
