/**
 * The chat messages that ask for a commit message: a list of the changed files, then their
 * diffs. An excluded file is named with its line counts, never with its content; the diffs are cut
 * to the model's window, small files whole and large ones trimmed, with the cut said in the
 * prompt and to the user. Pure, like chat/prepareChat.ts: token counts come from the caller.
 */
import type { ChatMessage } from '../runtime/protocol';
import { answerBudget, fmt, perMessageTokens, promptLimit } from '../chat/fitContext';
import { parseUnifiedDiff, type DiffFile } from './unifiedDiff';
import type { ChatWindow } from '../chat/prepareChat';

export const commitSystemPrompt =
  'You write git commit messages. Reply with the commit message only: a summary line in the imperative mood, ' +
  'at most 72 characters, then, when the change needs explaining, a blank line and a short body. ' +
  'No Markdown, no code fences, no quotes, nothing before or after the message.';

/** A commit message is short: this much room for the answer leaves the rest of the window to the diff. */
export const commitAnswerTokens = 200;
/** A file's share of the window below this shows no hunks, only its line counts: a fragment tells the model little. */
export const minFileTokens = 24;
/** The file list names at most this many files; the rest are counted. */
export const maxListedFiles = 100;
const templateTokens = 16;

/** `maxAnswerTokens` is `sovereign.chat.maxTokens`; the answer gets at most `commitAnswerTokens` of it. */
export interface CommitPromptInput extends ChatWindow {
  /** `git diff` output. */
  diff: string;
  /** The staged diff, or the working tree's (nothing was staged). */
  staged: boolean;
  /**
   * Why a file's changes may not be sent (words that follow its name), or undefined when they
   * may: asked once per file with every path the diff names for it, and its hunks.
   */
  refuse(paths: readonly string[], hunks: string): string | undefined;
}

export interface CommitPrompt {
  /** False when not even the file list fits the window: nothing can be asked. */
  ok: boolean;
  messages: ChatMessage[];
  maxTokens: number;
  /** Files named without their content, and why. */
  withheld: { path: string; reason: string }[];
  /** Files whose hunks were cut (or left out) to fit the window. */
  trimmed: string[];
  /** What the user is told: the diff was trimmed, files were withheld. */
  notes: string[];
}

export async function buildCommitPrompt(input: CommitPromptInput): Promise<CommitPrompt> {
  const files = parseUnifiedDiff(input.diff);
  const withheld: CommitPrompt['withheld'] = [];
  const shown: { file: DiffFile; text: string }[] = [];
  for (const file of files) {
    const reason = input.refuse(file.names, file.hunks);
    if (reason) withheld.push({ path: file.path, reason });
    else shown.push({ file, text: sectionText(file, file.hunks) });
  }
  const withheldPaths = new Set(withheld.map((w) => w.path));
  const list = fileList(files, withheldPaths);
  const frame = (diffs: string) =>
    `Write a commit message for these ${input.staged ? 'staged changes' : 'changes (nothing is staged: these are the unstaged ones)'}.\n\n` +
    `Files changed:\n${list}\n\n${diffs ? `Diff:\n${diffs}` : 'No diff can be shown.'}`;

  const answer = Math.min(input.maxAnswerTokens, commitAnswerTokens);
  const limit = promptLimit(input.windowTokens, answer);
  const [systemTokens, frameTokens, ...sectionTokens] = await input.count([commitSystemPrompt, frame(''), ...shown.map((s) => s.text)]);
  const fixed = templateTokens + perMessageTokens * 2 + systemTokens + frameTokens;
  const fail = (note: string): CommitPrompt => ({ ok: false, messages: [], maxTokens: 0, withheld, trimmed: [], notes: [note] });
  if (fixed > limit) {
    return fail(`${files.length} changed files are too many to describe in the chat model's context window (${fmt(input.windowTokens)} tokens). Stage fewer files or raise sovereign.chat.contextSize.`);
  }

  let room = limit - fixed;
  let assembled = await assemble(shown, sectionTokens, room, input.count);
  let messages = toMessages(frame(assembled.diffs));
  let promptTokens = fixed + assembled.tokens;
  // The template's real cost is known only to the model: measure, and cut again if it missed.
  for (let pass = 0; input.measure && pass < 3; pass++) {
    promptTokens = await input.measure(messages);
    if (promptTokens <= limit) break;
    room -= promptTokens - limit + 4;
    if (room < 0) return fail(`The changed files' list does not fit the chat model's context window (${fmt(input.windowTokens)} tokens). Raise sovereign.chat.contextSize.`);
    assembled = await assemble(shown, sectionTokens, room, input.count);
    messages = toMessages(frame(assembled.diffs));
  }

  const notes: string[] = [];
  if (assembled.trimmed.length) {
    notes.push(
      `Diff trimmed to fit the chat model's context window (${fmt(input.windowTokens)} tokens): ${assembled.trimmed.length} of ${files.length} file${files.length === 1 ? '' : 's'} shown in part or by line counts only (${preview(assembled.trimmed)}).`,
    );
  }
  if (withheld.length) {
    notes.push(`Named without their changes (excluded from prompts): ${withheld.map((w) => `${w.path} ${w.reason}`).join('; ')}.`);
  }
  return { ok: true, messages, maxTokens: answerBudget(input.windowTokens, promptTokens, answer), withheld, trimmed: assembled.trimmed, notes };
}

function toMessages(user: string): ChatMessage[] {
  return [
    { role: 'system', content: commitSystemPrompt },
    { role: 'user', content: user },
  ];
}

/** One line per file, so the model knows every change, even those it cannot see. */
function fileList(files: readonly DiffFile[], withheld: ReadonlySet<string>): string {
  const lines = files.slice(0, maxListedFiles).map((f) => `- ${f.path} (${counts(f)})${withheld.has(f.path) ? ' — changed; its content is not shown' : ''}`);
  if (files.length > maxListedFiles) lines.push(`- … and ${files.length - maxListedFiles} more files`);
  return lines.join('\n') || '- (none)';
}

function counts(f: DiffFile): string {
  return f.hunks.startsWith('Binary files ') ? 'binary' : `+${f.added} -${f.removed}`;
}

function sectionText(file: DiffFile, hunks: string): string {
  return hunks ? `${file.header}\n${hunks}` : file.header;
}

/**
 * Shares `room` among the sections, smallest first (water-filling): a file smaller than an equal
 * share is sent whole and leaves the rest to the larger ones, which are cut at a line end.
 */
async function assemble(
  shown: readonly { file: DiffFile; text: string }[],
  tokens: readonly number[],
  room: number,
  count: CommitPromptInput['count'],
): Promise<{ diffs: string; tokens: number; trimmed: string[] }> {
  const share = new Array<number>(shown.length).fill(0);
  let left = room;
  const bySize = [...shown.keys()].sort((a, b) => tokens[a] - tokens[b]);
  for (const [k, i] of bySize.entries()) {
    share[i] = Math.min(tokens[i], Math.floor(left / (bySize.length - k)));
    left -= share[i];
  }
  const texts = shown.map((s) => s.text);
  const sent = [...tokens];
  const cut = shown.flatMap((_, i) => (share[i] < tokens[i] ? [i] : []));
  const ratio = new Map(cut.map((i) => [i, share[i] < minFileTokens ? 0 : share[i] / Math.max(1, tokens[i])]));
  // Characters per token vary along a diff: shrink until the recount fits (rarely a second pass);
  // a file that still does not fit is left to the file list, which names it with its line counts.
  for (let pass = 0; pass < 4 && cut.length; pass++) {
    const trimmedTexts = cut.map((i) => trimSection(shown[i].file, pass === 3 ? 0 : ratio.get(i)!));
    const recount = await count(trimmedTexts);
    const over: number[] = [];
    cut.forEach((i, k) => {
      texts[i] = trimmedTexts[k];
      sent[i] = trimmedTexts[k] ? recount[k] : 0;
      if (sent[i] > share[i]) over.push(i);
    });
    for (const i of over) ratio.set(i, ratio.get(i)! * (share[i] / sent[i]) * 0.9);
    cut.splice(0, cut.length, ...over);
  }
  const trimmed = shown.flatMap((s, i) => (share[i] < tokens[i] ? [s.file.path] : []));
  return { diffs: texts.filter(Boolean).join('\n'), tokens: sent.reduce((a, b) => a + b, 0), trimmed };
}

/**
 * The header and about `ratio` of the hunks, cut at a line end, with the cut said inside the diff;
 * '' when no whole line fits (the file list still names the file).
 */
function trimSection(file: DiffFile, ratio: number): string {
  const chars = Math.floor(file.hunks.length * ratio * 0.97);
  const end = file.hunks.lastIndexOf('\n', chars);
  if (ratio <= 0 || end <= 0) return '';
  const kept = file.hunks.slice(0, end);
  const more = file.hunks.split('\n').length - kept.split('\n').length;
  return `${file.header}\n${kept}\n[… diff trimmed: ${more} more line${more === 1 ? '' : 's'} of this file not shown]`;
}

function preview(paths: readonly string[]): string {
  return paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
}
