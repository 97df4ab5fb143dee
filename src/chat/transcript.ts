import type { Conversation } from './conversationStore';
import type { TranscriptEntry } from './messages';

/**
 * The exchange being answered now. The conversation stores a question only with its answer, when
 * the answer ends; until then a page that loads (the view reopened, VS Code reloading webviews)
 * learns of both from this.
 */
export interface LiveExchange {
  /** The answer's id in the page's messages: its next chunks carry it. */
  id: string;
  /** Absent when the answer continues the conversation's last one ("Continue"). */
  question?: string;
  /** Labels of what the question sends, once they are known. */
  context?: string[];
  /** What has streamed so far. */
  text: string;
}

/** What a page that (re)loads shows: the stored messages, then the exchange still being answered. */
export function transcriptOf(c: Conversation, live?: LiveExchange): TranscriptEntry[] {
  const entries: TranscriptEntry[] = c.messages.map((m) => ({ role: m.role, text: m.content, context: m.context, stopped: m.stopped }));
  if (!live) return entries;
  if (live.question !== undefined) {
    entries.push({ role: 'user', text: live.question, context: live.context }, { role: 'assistant', text: live.text, answering: live.id });
    return entries;
  }
  const last = entries.at(-1);
  if (last?.role === 'assistant') entries[entries.length - 1] = { ...last, text: last.text + live.text, stopped: undefined, answering: live.id };
  return entries;
}
