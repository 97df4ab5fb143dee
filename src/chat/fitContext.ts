/**
 * What of a conversation fits the chat model's context window. Pure token arithmetic: the system
 * prompt, the question and the attached context are kept first; the oldest turns go first; every
 * cut is reported as a note the user sees.
 */

export interface FitInput {
  /** The model's context window, in tokens. */
  windowTokens: number;
  /** Room kept free for the answer. */
  answerTokens: number;
  systemTokens: number;
  questionTokens: number;
  /** In the order they should survive (the earlier ones win space first). */
  /** `clipped`: `tokens` counts only the beginning already cut from a huge file. */
  attachments: readonly { label: string; tokens: number; clipped?: boolean }[];
  /** Earlier messages, oldest first. */
  history: readonly { role: 'user' | 'assistant'; tokens: number }[];
  /** Tokens the estimate missed last time (the template measured by the model): kept free. */
  correctionTokens?: number;
}

export type AttachmentFit = { state: 'whole' | 'trimmed' | 'dropped'; keepTokens: number };

export interface FitResult {
  /** False when the system prompt and the question alone do not fit: nothing can be sent. */
  ok: boolean;
  attachments: AttachmentFit[];
  /** `history.slice(firstHistoryIndex)` is sent. */
  firstHistoryIndex: number;
  /** Estimated prompt size, template overhead included. */
  promptTokens: number;
  /** Notes for the user, one per cut. */
  notes: string[];
}

/** Chat templates wrap each message in role markers; counted per message, generously. */
export const perMessageTokens = 8;
const templateTokens = 16;
/** An attachment cut to fewer tokens than this is dropped instead: a fragment misleads more than it helps. */
export const minAttachmentTokens = 32;

/**
 * Kept free besides the answer: node-llama-cpp's LlamaChat refuses a prompt that leaves less
 * than a tenth of the window free (its context-shift room).
 */
export function safetyTokens(windowTokens: number): number {
  return Math.ceil(windowTokens / 10) + 8;
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
  let left = budget - fixed;
  const attachments = input.attachments.map((a): AttachmentFit => {
    if (a.tokens <= left) {
      left -= a.tokens;
      return { state: 'whole', keepTokens: a.tokens };
    }
    if (left >= minAttachmentTokens) {
      const keepTokens = left;
      left = 0;
      const of = a.clipped ? '' : ` of ${fmt(a.tokens)}`;
      notes.push(`${a.label} was trimmed to its first ${fmt(keepTokens)}${of} tokens to fit the context window.`);
      return { state: 'trimmed', keepTokens };
    }
    notes.push(`${a.label} (${fmt(a.tokens)} tokens) was left out: the context window is full.`);
    return { state: 'dropped', keepTokens: 0 };
  });

  let first = input.history.length;
  while (first > 0 && input.history[first - 1].tokens + perMessageTokens <= left) {
    first--;
    left -= input.history[first].tokens + perMessageTokens;
  }
  // Start at a question: an answer without the question it answers confuses the model.
  while (first < input.history.length && input.history[first].role !== 'user') {
    left += input.history[first].tokens + perMessageTokens;
    first++;
  }
  if (first > 0) {
    notes.push(`${first} earlier message${first === 1 ? '' : 's'} of this conversation ${first === 1 ? 'was' : 'were'} left out to fit the context window.`);
  }
  const used = budget - left;
  return { ok: true, attachments, firstHistoryIndex: first, promptTokens: used, notes };
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
