/**
 * Host ⇄ chat webview messages, declared once and imported by both sides (the webview bundle
 * imports this file too). The page posts `ready` first; the host sends nothing before it.
 */
import { normalizePath, type SourceLocation } from './citations';

export type { SourceLocation } from './citations';

/** One chip above the input: exactly what is sent with the next message. */
export interface ContextChip {
  id: string;
  label: string;
  /** Full path or description, for the tooltip. */
  detail: string;
  /** `chunk`: code the codebase index found for an @workspace question. */
  kind: 'file' | 'selection' | 'activeFile' | 'excluded' | 'chunk';
  /** Tokens of the whole attachment, and what of it is sent. */
  tokens: number;
  sentTokens: number;
  state: 'whole' | 'trimmed' | 'dropped' | 'excluded';
  note?: string;
  /** Where a click on the chip opens (a retrieved chunk). */
  location?: SourceLocation;
}

export interface ContextSummary {
  chips: ContextChip[];
  includeActiveFile: boolean;
  /** The @workspace toggle: every message retrieves code from the codebase index. */
  useWorkspace: boolean;
  /** Prompt tokens with the current conversation and an empty question. */
  promptTokens: number;
  windowTokens: number;
  /** False while counts are chars/4 estimates (the chat model is not loaded yet). */
  exact: boolean;
}

/** A message of a reopened conversation. */
export interface TranscriptEntry {
  role: 'user' | 'assistant' | 'note';
  text: string;
  /** Labels of what was attached to a question. */
  context?: string[];
  stopped?: boolean;
  /** The id of the answer still streaming into this entry: its next chunks carry it. */
  answering?: string;
}

export type ToWebview =
  /** `continues`: the text streams on at the end of answer `id` (after "Continue"). */
  | { type: 'answerStart'; id: string; continues?: boolean }
  | { type: 'answerChunk'; id: string; text: string }
  /** `cut`: the answer reached sovereign.chat.maxTokens; the page offers "Continue". */
  | { type: 'answerEnd'; id: string; stopped: boolean; cut?: boolean; firstTokenMs: number; tokensPerSecond: number }
  | { type: 'error'; id?: string; message: string; action?: WebviewAction }
  | { type: 'cleared' }
  /** A visible note (something was trimmed or left out), placed before answer `before` when given. */
  | { type: 'note'; text: string; before?: string }
  | { type: 'context'; summary: ContextSummary }
  | { type: 'transcript'; title: string; entries: TranscriptEntry[] }
  | { type: 'focusPrompt' }
  /** Whether a chat model (a file, or a team server) is configured: without one the page says what is missing. */
  | { type: 'chatModel'; configured: boolean }
  /** What was attached to the question answered by `id`, once it is known. */
  | { type: 'questionContext'; id: string; context: string[] }
  /** The workspace code sent with the question answered by `id`: listed under the answer as links. */
  | { type: 'sources'; id: string; sources: SourceLocation[] }
  /** Paths mentioned as `path:line` in answer `id` that are files of the workspace: the page links those mentions. */
  | { type: 'citations'; id: string; paths: string[] }
  /** Text for the message box at the cursor (`@workspace ` chosen in the "@" picker). */
  | { type: 'insertText'; text: string };

export type WebviewAction = 'chooseChatModel';

/** What a code block's buttons ask the host to do with its text. */
export type CodeAction = 'copy' | 'insert' | 'applyDiff';

export type FromWebview =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  /** Continue answer `id`, cut at its token limit. */
  | { type: 'continue'; id: string }
  | { type: 'newChat' }
  | { type: 'history' }
  | { type: 'action'; action: WebviewAction }
  | { type: 'code'; action: CodeAction; code: string }
  | { type: 'openLink'; url: string }
  | { type: 'addFile' }
  | { type: 'removeChip'; id: string }
  | { type: 'includeActiveFile'; value: boolean }
  | { type: 'useWorkspace'; value: boolean }
  /** The message being typed, while it asks @workspace: the chips show what it would retrieve. */
  | { type: 'draft'; text: string }
  /** A chip, a Sources link or a citation: the host opens it only when it is a file of the workspace. */
  | { type: 'openLocation'; location: SourceLocation };

const codeActions: readonly string[] = ['copy', 'insert', 'applyDiff'] satisfies CodeAction[];

/** The page renders untrusted model output: everything it sends is checked before use. */
export function isFromWebview(value: unknown): value is FromWebview {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'ready':
    case 'stop':
    case 'newChat':
    case 'history':
    case 'addFile':
      return true;
    case 'send':
    case 'draft':
      return typeof v.text === 'string';
    case 'action':
      return v.action === 'chooseChatModel';
    case 'code':
      return typeof v.action === 'string' && codeActions.includes(v.action) && typeof v.code === 'string';
    case 'openLink':
      return typeof v.url === 'string' && isWebUrl(v.url);
    case 'removeChip':
    case 'continue':
      return typeof v.id === 'string';
    case 'includeActiveFile':
    case 'useWorkspace':
      return typeof v.value === 'boolean';
    case 'openLocation':
      return isSourceLocation(v.location);
    default:
      return false;
  }
}

/** Only http(s) links are ever opened; `javascript:`, `file:`, `command:` and the rest are not. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** A workspace-relative path (normalized, no `..`, no scheme) and sane line numbers; whether it exists is the host's to check. */
export function isSourceLocation(value: unknown): value is SourceLocation {
  if (typeof value !== 'object' || value === null) return false;
  const l = value as Record<string, unknown>;
  const line = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  return typeof l.path === 'string' && normalizePath(l.path) === l.path && line(l.line) && (l.endLine === undefined || (line(l.endLine) && (l.endLine as number) >= (l.line as number)));
}
