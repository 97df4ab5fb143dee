/**
 * A chat model's reply turned into a commit message: small local models wrap it in fences or
 * quotes, open with "Here is a commit message:", or think aloud first. Pure, and safe to run on a
 * partial reply while it streams (an unclosed fence or thinking block is handled).
 */

/** Openers of a sentence about the message rather than the message itself. */
const chatter = /^(sure|certainly|of course|okay|ok|here('s| is| are)|below is|this commit message|i('d| would) suggest|suggested commit message)\b/i;
/** A label before the message on the same line: `Commit message: Fix …`. */
const label = /^(commit message|commit|subject|summary|title|message)\s*:\s*/i;
const fenceOpen = /^\s*(`{3,}|~{3,})/;

export function cleanCommitMessage(reply: string): string {
  // Reasoning models think first; an unclosed block (still streaming) hides everything after it.
  let text = reply.replace(/\r\n?/g, '\n').replace(/<think>[\s\S]*?(<\/think>|$)/g, '');
  let lines = text.split('\n');

  // Drop blank lines and chatter before the message; a chatter line with the message after a colon keeps that.
  while (lines.length) {
    const line = undecorated(lines[0]);
    if (!line) {
      lines.shift();
      continue;
    }
    const rest = lines.slice(1).some((l) => l.trim());
    if (chatter.test(line)) {
      const after = /:\s*(\S.*)$/.exec(line);
      if (after && !after[1].startsWith('`')) {
        lines[0] = after[1];
        break;
      }
      if (rest || !after) lines.shift();
      else break;
      continue;
    }
    if (rest && (/:$/.test(line) || /^#{1,6}\s/.test(lines[0].trim()))) {
      lines.shift();
      continue;
    }
    break;
  }

  // A fenced message: its content, up to the closing fence (or the end, while streaming).
  const open = lines.length ? fenceOpen.exec(lines[0]) : null;
  if (open) {
    const close = lines.findIndex((l, i) => i > 0 && l.trim().startsWith(open[1][0].repeat(open[1].length)) && /^[`~]+$/.test(l.trim()));
    lines = lines.slice(1, close < 0 ? undefined : close);
  }

  text = lines
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  text = text.replace(label, '');
  return unquoted(text);
}

/** The line as read, without Markdown emphasis around it (`**Commit message:**`). */
function undecorated(line: string): string {
  return line.trim().replace(/^[*_]+|[*_]+$/g, '').replace(/[*_]+:$/, ':').trim();
}

/** `"Fix the parser"` or `` `Fix the parser` ``: one pair of quotes around the whole message is not part of it. */
function unquoted(text: string): string {
  for (const q of ['"', "'", '`', '“']) {
    const end = q === '“' ? '”' : q;
    if (text.length >= 2 && text.startsWith(q) && text.endsWith(end) && !text.slice(1, -1).includes(end)) return text.slice(1, -1).trim();
  }
  return text;
}
