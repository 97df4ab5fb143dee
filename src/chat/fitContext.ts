/**
 * What of a conversation fits the chat model's context window. Pure token arithmetic, in this
 * order of claim: the system prompt and the question; the files the user added; room for the
 * last exchange; the automatically attached active file; then older messages, newest first.
 *
 * Attachments are sized without looking at the conversation (they get what is left after the
 * question and a fixed room for one exchange), so a file's share, the number on its chip and in
 * the note below the answer, stays the same as the conversation grows. Only when the last
 * exchange is longer than that room does it take more, from the active file first.
 */

export interface FitInput {
  /** The model's context window, in tokens. */
  windowTokens: number;
  /** Room kept free for the answer. */
  answerTokens: number;
  systemTokens: number;
  questionTokens: number;
  /**
   * In the order the user added them. `automatic`: attached without being asked for (the active
   * editor), so it yields to everything else. `clipped`: `tokens` counts only the beginning
   * already cut from a huge file.
   */
  attachments: readonly { label: string; tokens: number; clipped?: boolean; automatic?: boolean }[];
  /** Earlier messages, oldest first. */
  history: readonly { role: 'user' | 'assistant'; tokens: number }[];
  /** Tokens the estimate missed last time (the template measured by the model): kept free. */
  correctionTokens?: number;
}

export type AttachmentFit = { state: 'whole' | 'trimmed' | 'dropped'; keepTokens: number };

export interface FitResult {
  /** False when the system prompt and the question alone do not fit: nothing can be sent. */
  ok: boolean;
  /** In the order of `input.attachments`. Notes about them are the caller's: it knows what was sent. */
  attachments: AttachmentFit[];
  /** `history.slice(firstHistoryIndex)` is sent. */
  firstHistoryIndex: number;
  /** Estimated prompt size, template overhead included. */
  promptTokens: number;
  /** Notes for the user about the conversation (a question too long, messages left out). */
  notes: string[];
}

/** Chat templates wrap each message in role markers; counted per message, generously. */
export const perMessageTokens = 8;
const templateTokens = 16;
/** An attachment cut to fewer tokens than this is dropped instead: a fragment misleads more than it helps. */
export const minAttachmentTokens = 32;
/** A question up to this long does not change what the attachments get: the chips can be exact before it is typed. */
export const questionAllowanceTokens = 128;

/**
 * Kept free besides the answer: node-llama-cpp's LlamaChat refuses a prompt that leaves less
 * than a tenth of the window free (its context-shift room).
 */
export function safetyTokens(windowTokens: number): number {
  return Math.ceil(windowTokens / 10) + 8;
}

/**
 * Room kept for the last exchange before attachments are sized: a question and half an answer
 * (most answers are shorter than the cap; a longer one takes its room from the active file).
 * At most half of what attachments and conversation share, so a small window still holds files.
 */
export function conversationReserve(answerTokens: number, shared: number): number {
  return Math.max(0, Math.min(questionAllowanceTokens + Math.ceil(answerTokens / 2) + perMessageTokens * 2, Math.floor(shared / 2)));
}

export function fitContext(input: FitInput): FitResult {
  const budget = input.windowTokens - input.answerTokens - safetyTokens(input.windowTokens);
  const fixed = templateTokens + (input.correctionTokens ?? 0) + input.systemTokens + perMessageTokens * 2 + input.questionTokens;
  const notes: string[] = [];
  if (fixed > budget) {
    notes.push(
      `The message is too long for the chat model's context window (about ${fmt(fixed)} tokens; ${fmt(Math.max(0, budget))} fit with room for the answer). Shorten it or raise sovereign.chat.contextSize.`,
    );
    return { ok: false, attachments: input.attachments.map(() => ({ state: 'dropped', keepTokens: 0 })), firstHistoryIndex: input.history.length, promptTokens: fixed, notes };
  }
  const shared = budget - (fixed - input.questionTokens + Math.max(input.questionTokens, questionAllowanceTokens));
  const room = Math.max(0, Math.min(budget - fixed, shared - conversationReserve(input.answerTokens, shared)));
  const attachments = sizeAttachments(input.attachments, room);
  let left = budget - fixed - sum(attachments);

  const { history } = input;
  // The last exchange is kept whenever the window can hold it: longer than its room, it takes from attachments, the automatic ones first.
  const lastExchange = history.length >= 2 && history.at(-2)!.role === 'user' ? history.at(-2)!.tokens + history.at(-1)!.tokens + perMessageTokens * 2 : 0;
  if (lastExchange > left) left += shrinkFor(lastExchange - left, input.attachments, attachments);

  let first = history.length;
  while (first > 0 && history[first - 1].tokens + perMessageTokens <= left) {
    first--;
    left -= history[first].tokens + perMessageTokens;
  }
  // Start at a question: an answer without the question it answers confuses the model.
  while (first < history.length && history[first].role !== 'user') {
    left += history[first].tokens + perMessageTokens;
    first++;
  }
  if (first > 0) {
    notes.push(`${first} earlier message${first === 1 ? '' : 's'} of this conversation ${first === 1 ? 'was' : 'were'} left out to fit the context window.`);
  }
  return { ok: true, attachments, firstHistoryIndex: first, promptTokens: budget - left, notes };
}

/** The files the user added claim room first, in the order added; the automatic ones take what is left. */
function sizeAttachments(all: FitInput['attachments'], room: number): AttachmentFit[] {
  const out: AttachmentFit[] = all.map(() => ({ state: 'dropped', keepTokens: 0 }));
  let left = room;
  for (const i of priorityOrder(all)) {
    const a = all[i];
    if (a.tokens <= left) out[i] = { state: 'whole', keepTokens: a.tokens };
    else if (left >= minAttachmentTokens) out[i] = { state: 'trimmed', keepTokens: left };
    left -= out[i].keepTokens;
  }
  return out;
}

/** Frees up to `need` tokens from the attachments, the automatic and the last added first; returns what it freed. */
function shrinkFor(need: number, all: FitInput['attachments'], fits: AttachmentFit[]): number {
  let freed = 0;
  for (const i of priorityOrder(all).reverse()) {
    if (freed >= need) break;
    const f = fits[i];
    if (f.state === 'dropped') continue;
    const keep = f.keepTokens - (need - freed);
    const next: AttachmentFit = keep >= minAttachmentTokens ? { state: 'trimmed', keepTokens: keep } : { state: 'dropped', keepTokens: 0 };
    freed += f.keepTokens - next.keepTokens;
    fits[i] = next;
  }
  return freed;
}

function priorityOrder(all: FitInput['attachments']): number[] {
  return [...all.keys()].sort((a, b) => Number(!!all[a].automatic) - Number(!!all[b].automatic) || a - b);
}

function sum(fits: readonly AttachmentFit[]): number {
  return fits.reduce((n, f) => n + f.keepTokens, 0);
}

/** Room for the answer once the prompt is known: never past the window (no context shift mid-answer). */
export function answerBudget(windowTokens: number, promptTokens: number, maxTokens: number): number {
  return Math.max(1, Math.min(maxTokens, windowTokens - promptTokens - 8));
}

/** The most prompt tokens that leave room for the answer and the context-shift slack. */
export function promptLimit(windowTokens: number, maxTokens: number): number {
  return windowTokens - answerReserve(windowTokens, maxTokens) - safetyTokens(windowTokens);
}

/** What to keep free for the answer while fitting the prompt: the setting, at most half the window. */
export function answerReserve(windowTokens: number, maxTokens: number): number {
  return Math.max(1, Math.min(maxTokens, Math.floor(windowTokens / 2)));
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
