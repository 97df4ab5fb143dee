/**
 * Turns a conversation, a question and the attached context into the messages sent to the chat
 * model, cut to its context window with real token counts. Free of `vscode`: the engine tests run
 * it against the real worker.
 */
import { estimateTokens } from '../common/charsPerToken';
import type { ChatMessage } from '../runtime/protocol';
import { attachmentNote } from './attachmentWording';
import { answerBudget, answerReserve, fitContext, fmt, promptLimit, type AttachmentFit } from './fitContext';

export const systemPrompt =
  'You are Sovereign, a coding assistant that runs locally inside VS Code. Answer concisely in Markdown. ' +
  'Put code in fenced code blocks with a language tag. When the user attached files, base your answer on them.';

/** Added when code from the workspace is attached (@workspace): the chat view links such mentions to the file. */
export const citationRule =
  'Code from the workspace is labelled `path:start-end`. When you use it, cite it as path:line (for example src/app.ts:12), the path exactly as labelled.';

/** Text the user attached: a file, a selection, or the active editor. */
export interface AttachmentText {
  id: string;
  /** What the user sees on the chip: `src/a.ts`, `src/a.ts:3-9`. */
  label: string;
  /** Markdown fence language. */
  language: string;
  text: string;
  /** Set when the text was already cut before counting (a huge file): shown as a note. */
  clippedNote?: string;
  /** Attached without the user asking (the active editor): trimmed and left out first. */
  automatic?: boolean;
}

export interface AttachmentReport {
  id: string;
  label: string;
  /** Tokens of the whole (possibly pre-clipped) attachment. */
  tokens: number;
  /** Tokens that will be sent. */
  sentTokens: number;
  state: AttachmentFit['state'];
  note?: string;
}

/** The chat model's window and how to measure text in it: what every chat-model prompt is fitted to. */
export interface ChatWindow {
  windowTokens: number;
  maxAnswerTokens: number;
  /** Token counts of the texts, in order: the worker's tokenizer, or an estimate. */
  count(texts: string[]): Promise<number[]>;
  /** The exact size of the templated prompt, when the model is there to say. */
  measure?(messages: ChatMessage[]): Promise<number>;
}

export interface PrepareInput extends ChatWindow {
  history: readonly ChatMessage[];
  question: string;
  attachments: readonly AttachmentText[];
  /** Ask the model to cite `path:line` (workspace chunks are attached). */
  cite?: boolean;
}

export interface PreparedChat {
  ok: boolean;
  messages: ChatMessage[];
  maxTokens: number;
  promptTokens: number;
  attachments: AttachmentReport[];
  /** Messages of `history` left out. */
  droppedMessages: number;
  notes: string[];
}

/** Characters kept of one attachment before counting: no window holds more than this. */
export function clipCharsFor(windowTokens: number): number {
  return windowTokens * 16;
}

export async function prepareChat(input: PrepareInput): Promise<PreparedChat> {
  const blocks = input.attachments.map(attachmentBlock);
  const counts = await input.count([systemText(input), input.question, ...blocks, ...input.history.map((m) => m.content)]);
  const limit = promptLimit(input.windowTokens, input.maxAnswerTokens);
  let correctionTokens = 0;
  let prepared = await assemble(input, blocks, counts, correctionTokens);
  // The template's real cost is known only to the model: measure, and fit again if it missed.
  for (let pass = 0; input.measure && prepared.ok && pass < 4; pass++) {
    const exact = await input.measure(prepared.messages);
    prepared.promptTokens = exact;
    prepared.maxTokens = answerBudget(input.windowTokens, exact, input.maxAnswerTokens);
    if (exact <= limit) break;
    correctionTokens += exact - limit + 4;
    prepared = await assemble(input, blocks, counts, correctionTokens);
  }
  return prepared;
}

async function assemble(input: PrepareInput, blocks: string[], counts: number[], correctionTokens: number): Promise<PreparedChat> {
  const [systemTokens, questionTokens] = counts;
  const blockTokens = counts.slice(2, 2 + blocks.length);
  const historyTokens = counts.slice(2 + blocks.length);
  const fit = fitContext({
    windowTokens: input.windowTokens,
    answerTokens: answerReserve(input.windowTokens, input.maxAnswerTokens),
    systemTokens,
    questionTokens,
    attachments: input.attachments.map((a, i) => ({ label: a.label, tokens: blockTokens[i], clipped: !!a.clippedNote, automatic: a.automatic })),
    history: input.history.map((m, i) => ({ role: m.role === 'user' ? 'user' : 'assistant', tokens: historyTokens[i] })),
    correctionTokens,
  });

  const sent: string[] = [];
  const reports: AttachmentReport[] = [];
  let promptTokens = fit.promptTokens;
  for (const [i, a] of input.attachments.entries()) {
    const f = fit.attachments[i];
    let block = blocks[i];
    let sentTokens = f.keepTokens;
    if (f.state === 'trimmed') {
      ({ block, tokens: sentTokens } = await trimToTokens(a, f.keepTokens, blockTokens[i], input.count));
      promptTokens += sentTokens - f.keepTokens;
    }
    if (f.state !== 'dropped') sent.push(block);
    reports.push({ id: a.id, label: a.label, tokens: blockTokens[i], sentTokens, state: f.state, note: a.clippedNote });
  }
  const notes = [...input.attachments.flatMap((a) => (a.clippedNote ? [a.clippedNote] : [])), ...reports.flatMap((r) => attachmentNote(r) ?? []), ...fit.notes];
  const system = sent.length ? `${systemText(input)}\n\nThe user attached this context:\n\n${sent.join('\n\n')}` : systemText(input);
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...input.history.slice(fit.firstHistoryIndex)];
  if (input.question) messages.push({ role: 'user', content: input.question });
  return {
    ok: fit.ok,
    messages,
    maxTokens: answerBudget(input.windowTokens, promptTokens, input.maxAnswerTokens),
    promptTokens,
    attachments: reports,
    droppedMessages: fit.firstHistoryIndex,
    notes,
  };
}

function systemText(input: Pick<PrepareInput, 'cite'>): string {
  return input.cite ? `${systemPrompt} ${citationRule}` : systemPrompt;
}

export function attachmentBlock(a: Pick<AttachmentText, 'label' | 'language' | 'text'>): string {
  // A fence longer than any backtick run inside, so attached Markdown cannot close it early.
  const longest = Math.max(2, ...(a.text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(longest + 1);
  return `${a.label}:\n${fence}${a.language}\n${a.text}\n${fence}`;
}

/** Cuts an attachment to about `keepTokens`, at a line end, and says so inside the block. */
async function trimToTokens(
  a: AttachmentText,
  keepTokens: number,
  totalTokens: number,
  count: PrepareInput['count'],
): Promise<{ block: string; tokens: number }> {
  let ratio = keepTokens / Math.max(1, totalTokens);
  let block = '';
  let tokens = 0;
  // Characters per token vary along a file: shrink until the recount fits (rarely a second pass).
  for (let pass = 0; pass < 4; pass++) {
    const chars = Math.max(0, Math.floor(a.text.length * ratio * 0.97));
    const cut = a.text.lastIndexOf('\n', chars);
    const kept = a.text.slice(0, cut > chars / 2 ? cut : chars);
    const lines = kept.split('\n').length;
    block = attachmentBlock({ ...a, text: `${kept}\n… (trimmed: the first ${fmt(lines)} lines fit the context window)` });
    [tokens] = await count([block]);
    if (tokens <= keepTokens) break;
    ratio *= (keepTokens / tokens) * 0.95;
  }
  return { block, tokens };
}

/** The estimate shown until the chat model is loaded (the tooltip says so). */
export function estimateTokenCounts(texts: string[]): Promise<number[]> {
  return Promise.resolve(texts.map(estimateTokens));
}
