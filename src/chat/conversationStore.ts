/**
 * Conversations kept per workspace (in `context.workspaceState`). Only what the user typed and
 * read is stored, with the labels of what was attached, never the attached files' contents.
 */

/** The part of `vscode.Memento` used here, so this stays free of `vscode`. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  context?: string[];
  stopped?: boolean;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  messages: StoredMessage[];
}

const key = 'sovereign.chat.conversations';
/** The oldest conversations beyond this are forgotten. */
export const maxConversations = 100;

export class ConversationStore {
  constructor(
    private readonly memento: MementoLike,
    private readonly now: () => number = Date.now,
  ) {}

  /** Newest first. */
  list(): Conversation[] {
    const all = this.memento.get<Conversation[]>(key);
    return (Array.isArray(all) ? all.filter(isConversation) : []).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get(id: string): Conversation | undefined {
    return this.list().find((c) => c.id === id);
  }

  create(): Conversation {
    const at = this.now();
    return { id: `c${at.toString(36)}${Math.random().toString(36).slice(2, 8)}`, title: 'New chat', createdAt: at, updatedAt: at, messages: [] };
  }

  /** Stores (or replaces) a conversation; an empty one is not worth keeping. */
  async save(conversation: Conversation): Promise<void> {
    if (conversation.messages.length === 0) return;
    const firstQuestion = conversation.messages.find((m) => m.role === 'user')?.content ?? '';
    const saved: Conversation = { ...conversation, title: titleOf(firstQuestion), updatedAt: this.now() };
    const rest = this.list().filter((c) => c.id !== conversation.id);
    await this.memento.update(key, [saved, ...rest].slice(0, maxConversations));
  }

  async delete(id: string): Promise<void> {
    await this.memento.update(
      key,
      this.list().filter((c) => c.id !== id),
    );
  }
}

export function titleOf(question: string): string {
  const line = question.replace(/\s+/g, ' ').trim();
  if (!line) return 'New chat';
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

function isConversation(c: unknown): c is Conversation {
  const v = c as Conversation;
  return typeof v === 'object' && v !== null && typeof v.id === 'string' && Array.isArray(v.messages) && typeof v.updatedAt === 'number';
}
