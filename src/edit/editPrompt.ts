/**
 * The chat messages of an edit: the instruction, the target, and as much of the file around it as
 * the chat model's window holds (the lines nearest the target first). Only the edited document is
 * ever quoted; whether it may be sent at all is the content policy's call, made before this.
 * Pure (no `vscode`): the engine tests run it against the real worker.
 */
import { fmt, safetyTokens } from '../chat/fitContext';
import type { ChatMessage } from '../runtime/protocol';

export const editSystemPrompt =
  'You are Sovereign, a coding assistant that edits code in the user\'s editor. ' +
  'Reply with only the code asked for, in one fenced code block, with no explanation before or after it.';

export interface EditPromptInput {
  instruction: string;
  /** Workspace-relative path, shown to the model. */
  fileName: string;
  /** VS Code language id and Markdown fence tag. */
  language: string;
  /** The lines to rewrite; empty when new code is generated at the cursor. */
  target: string;
  /** The whole file above the target and below it. */
  before: string;
  after: string;
  windowTokens: number;
  /** The chat setting's cap on an answer. */
  maxAnswerTokens: number;
  count(texts: string[]): Promise<number[]>;
  /** The exact templated size, when the model is there to say. */
  measure?(messages: ChatMessage[]): Promise<number>;
}

export type EditPrompt =
  | { ok: true; messages: ChatMessage[]; maxTokens: number; promptTokens: number; contextLines: { before: number; after: number } }
  | { ok: false; error: string };

/**
 * Room for the answer: a rewrite is about as long as the target, so at least that with margin,
 * even past the chat setting; never more than half the window.
 */
export function editAnswerReserve(windowTokens: number, maxAnswerTokens: number, targetTokens: number): number {
  return Math.max(1, Math.min(Math.floor(windowTokens / 2), Math.max(maxAnswerTokens, Math.ceil(targetTokens * 1.5) + 64)));
}

export async function buildEditPrompt(input: EditPromptInput): Promise<EditPrompt> {
  const beforeLines = input.before ? input.before.split('\n') : [];
  const afterLines = input.after ? input.after.split('\n') : [];
  const [targetTokens, fixedTokens] = await input.count([input.target, editSystemPrompt + userMessage(input, [], []).content]);
  const reserve = editAnswerReserve(input.windowTokens, input.maxAnswerTokens, targetTokens);
  const limit = input.windowTokens - reserve - safetyTokens(input.windowTokens) - 32;
  if (fixedTokens > limit) {
    const what = input.target ? 'The code to edit and the instruction are' : 'The instruction is';
    return { ok: false, error: `${what} too long for the chat model's context window (about ${fmt(fixedTokens)} tokens; ${fmt(Math.max(0, limit))} fit with room for the answer). Select less code or raise sovereign.chat.contextSize.` };
  }
  // Lines nearest the target matter most: keep the tail of the text above and the head of the text below.
  let room = limit - fixedTokens;
  let keepBefore = beforeLines.length;
  let keepAfter = afterLines.length;
  for (let pass = 0; pass < 6; pass++) {
    const b = beforeLines.slice(beforeLines.length - keepBefore);
    const a = afterLines.slice(0, keepAfter);
    const [bTokens, aTokens] = await input.count([b.join('\n'), a.join('\n')]);
    if (bTokens + aTokens <= room || keepBefore + keepAfter === 0) {
      const messages: ChatMessage[] = [{ role: 'system', content: editSystemPrompt }, userMessage(input, b, a)];
      const promptTokens = input.measure ? await input.measure(messages) : fixedTokens + bTokens + aTokens;
      if (promptTokens <= limit || keepBefore + keepAfter === 0) {
        if (promptTokens > limit) return { ok: false, error: `The edit prompt does not fit the chat model's context window (${fmt(promptTokens)} tokens; ${fmt(limit)} fit).` };
        return { ok: true, messages, maxTokens: Math.max(1, Math.min(reserve, input.windowTokens - promptTokens - 8)), promptTokens, contextLines: { before: b.length, after: a.length } };
      }
      room -= promptTokens - limit + 8;
    }
    // Both sides shrink in proportion to how far over they are, the lines farthest from the target first.
    const ratio = Math.max(0, room) / Math.max(1, bTokens + aTokens);
    keepBefore = Math.floor(keepBefore * ratio * 0.95);
    keepAfter = Math.floor(keepAfter * ratio * 0.95);
  }
  return { ok: true, messages: [{ role: 'system', content: editSystemPrompt }, userMessage(input, [], [])], maxTokens: reserve, promptTokens: fixedTokens, contextLines: { before: 0, after: 0 } };
}

function fenced(language: string, text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((s) => s.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function userMessage(input: EditPromptInput, before: readonly string[], after: readonly string[]): ChatMessage {
  const parts = [`File: ${input.fileName} (${input.language})`];
  const generate = !input.target.trim();
  if (before.length) parts.push(`The file above the ${generate ? 'insertion point' : 'code to edit'}:\n${fenced(input.language, before.join('\n'))}`);
  if (!generate) parts.push(`The code to edit:\n${fenced(input.language, input.target)}`);
  if (after.length) parts.push(`The file below the ${generate ? 'insertion point' : 'code to edit'}:\n${fenced(input.language, after.join('\n'))}`);
  parts.push(`Instruction: ${input.instruction.trim()}`);
  parts.push(
    generate
      ? `Write only the new code to insert at the insertion point, in one \`\`\`${input.language} block.`
      : `Reply with the whole edited code that replaces "the code to edit" — only that part, not the rest of the file — in one \`\`\`${input.language} block.`,
  );
  return { role: 'user', content: parts.join('\n\n') };
}
