import * as vscode from 'vscode';
import { Commands } from '../commands';
import { toAbortSignal } from '../common/cancellation';
import { errorMessage, isCancelled } from '../common/errors';
import type { Config } from '../config/config';
import { chatSettings } from '../config/chatSettings';
import type { ChatMessage } from '../runtime/protocol';
import type { ChatBackend } from './chatBackend';
import { languageModelVendor } from './languageModelProvider';
import { prepareChat } from './prepareChat';
import type { RetrievedChunk, WorkspaceContext } from './workspaceContext';

/** `@sovereign /workspace`: the question goes with the codebase index's best matches (package.json declares it). */
const workspaceCommand = 'workspace';

/** Declared in package.json (`chatParticipants`); typed in VS Code's chat as `@sovereign`. */
export const chatParticipantId = 'sovereign.chat';

/**
 * `@sovereign` in VS Code's own Chat panel: answers with Sovereign's chat model, whichever model the
 * panel's picker shows, so it needs no Copilot model. It sends only the question and this
 * participant's earlier turns: files that VS Code's panel attaches by itself (it attached `.env`)
 * are never read here, so Sovereign's content rules are not bypassed through the panel. With
 * `/workspace` the codebase index's chunks go too (the same retrieval and content policy as the
 * chat view's @workspace), listed as the panel's references.
 */
export function registerChatParticipant(backend: ChatBackend, config: Config, workspace: WorkspaceContext): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(chatParticipantId, async (request, context, stream, token) => {
    if (!backend.describe()) {
      stream.markdown('Sovereign has no chat model yet. Choose one, then ask again.');
      stream.button({ command: Commands.selectChatModel, title: 'Select Chat Model…' });
      return {};
    }
    const signal = toAbortSignal(token);
    const notes: string[] = [];
    try {
      const info = await backend.load(signal);
      const history = earlierTurns(context.history);
      const chunks: RetrievedChunk[] =
        request.command === workspaceCommand ? await workspace.retrieve(request.prompt, history.filter((m) => m.role === 'user').map((m) => m.content), info.contextSize) : [];
      const prepared = await prepareChat({
        history,
        question: request.prompt,
        attachments: chunks,
        cite: chunks.length > 0,
        windowTokens: info.contextSize,
        maxAnswerTokens: chatSettings(config).maxTokens,
        count: (texts) => backend.countTokens(texts, signal),
        measure: (m) => backend.chatPromptTokens(m, signal),
      });
      if (!prepared.ok) return { errorDetails: { message: prepared.notes.at(-1) ?? 'The message does not fit the context window.' } };
      notes.push(...prepared.notes);
      for (const c of chunks) {
        const sent = prepared.attachments.find((a) => a.id === c.id);
        if (sent && sent.state !== 'dropped') stream.reference(new vscode.Location(c.uri, new vscode.Range(c.location.line - 1, 0, (c.location.endLine ?? c.location.line) - 1, 0)));
      }
      await backend.chat(prepared.messages, { maxTokens: prepared.maxTokens, signal, onText: (text) => stream.markdown(text) });
    } catch (e) {
      if (isCancelled(e) || token.isCancellationRequested) return {};
      return { errorDetails: { message: `Sovereign's chat model could not answer: ${errorMessage(e)}` } };
    }
    const left = request.references.map(referenceLabel);
    if (left.length > 0) notes.push(`Not sent to the model: ${left.join(', ')}. \`@sovereign\` answers from your question alone; to ask about files, use Sovereign's chat view, which applies Sovereign's content rules.`);
    if (notes.length > 0) stream.markdown(`\n\n---\n${notes.map((n) => `*${n}*`).join('\n\n')}`);
    if (left.length > 0) stream.button({ command: Commands.openChat, title: 'Open Sovereign Chat' });
    return {};
  });
  participant.iconPath = new vscode.ThemeIcon('shield');
  return vscode.Disposable.from(participant, vscode.commands.registerCommand(Commands.askInVsCodeChat, openVsCodeChat));
}

/**
 * Opens VS Code's Chat panel ready for `@sovereign`: Ask mode (Agent mode lists only models that
 * call tools) and Sovereign's model chosen (the panel sends nothing to a participant without a
 * model, and its default is Copilot's). These are the arguments VS Code's own actions pass to
 * `workbench.action.chat.open`; where it has no Chat panel, Sovereign's chat view opens instead.
 */
async function openVsCodeChat(): Promise<void> {
  try {
    await vscode.commands.executeCommand('workbench.action.chat.open', { mode: 'ask', query: '@sovereign ', isPartialQuery: true, modelSelector: { vendor: languageModelVendor } });
  } catch {
    await vscode.commands.executeCommand(Commands.openChat);
  }
}

/** This participant's own earlier questions and answers, as chat messages. */
function earlierTurns(history: vscode.ChatContext['history']): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const turn of history) {
    if (turn.participant !== chatParticipantId) continue;
    if (turn instanceof vscode.ChatRequestTurn) messages.push({ role: 'user', content: turn.prompt });
    else if (turn instanceof vscode.ChatResponseTurn) {
      const text = turn.response.map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : '')).join('');
      if (text) messages.push({ role: 'assistant', content: text });
    }
  }
  return messages;
}

function referenceLabel(reference: vscode.ChatPromptReference): string {
  const value = reference.value;
  const uri = value instanceof vscode.Uri ? value : value instanceof vscode.Location ? value.uri : undefined;
  return uri ? vscode.workspace.asRelativePath(uri, false) : reference.id;
}
