/**
 * The hunks between a target and its proposed replacement, line by line (jsdiff's array diff),
 * and the text that results from accepting some of them and rejecting the others. Pure.
 */
import { diffArrays } from 'diff';

export interface Hunk {
  /** Line index in the original where the removed lines start (or where the added lines go). */
  oldStart: number;
  removed: string[];
  /** Line index in the proposal where the added lines start. */
  newStart: number;
  added: string[];
}

export function splitLines(text: string): string[] {
  return text.split('\n');
}

/** Adjacent removals and additions form one hunk; unchanged lines separate hunks. */
export function computeHunks(original: string, proposed: string): Hunk[] {
  const hunks: Hunk[] = [];
  let oldLine = 0;
  let newLine = 0;
  let open: Hunk | undefined;
  for (const part of diffArrays(splitLines(original), splitLines(proposed))) {
    const count = part.value.length;
    if (!part.added && !part.removed) {
      open = undefined;
      oldLine += count;
      newLine += count;
      continue;
    }
    if (!open) {
      open = { oldStart: oldLine, removed: [], newStart: newLine, added: [] };
      hunks.push(open);
    }
    if (part.removed) {
      open.removed.push(...part.value);
      oldLine += count;
    } else {
      open.added.push(...part.value);
      newLine += count;
    }
  }
  return hunks;
}

/** The original with the hunks `accept` says yes to applied: exactly that, nothing else changed. */
export function applyHunks(original: string, hunks: readonly Hunk[], accept: (index: number) => boolean): string {
  const lines = splitLines(original);
  const out: string[] = [];
  let at = 0;
  hunks.forEach((h, i) => {
    out.push(...lines.slice(at, h.oldStart));
    out.push(...(accept(i) ? h.added : h.removed));
    at = h.oldStart + h.removed.length;
  });
  out.push(...lines.slice(at));
  return out.join('\n');
}

export type HunkState = 'pending' | 'accepted' | 'rejected';

/** One line of the preview written into the editor: the target with each hunk's old and new lines. */
export interface PreviewLine {
  text: string;
  kind: 'same' | 'removed' | 'added';
  /** The hunk the line belongs to (for removed and added lines). */
  hunk?: number;
}

/**
 * What the editor shows while a proposal waits: each pending hunk as its removed lines (struck)
 * followed by its added lines; a decided hunk as its outcome only. The preview is display only:
 * the final text always comes from applyHunks on the original.
 */
export function previewLines(original: string, hunks: readonly Hunk[], states: readonly HunkState[]): PreviewLine[] {
  const lines = splitLines(original);
  const out: PreviewLine[] = [];
  let at = 0;
  hunks.forEach((h, i) => {
    for (const text of lines.slice(at, h.oldStart)) out.push({ text, kind: 'same' });
    const state = states[i] ?? 'pending';
    // A blank line that new lines replace (the empty line of "generate here") would only show as a
    // struck-out nothing: left out of the preview, still restored on reject.
    const removed = state === 'pending' && h.added.length ? h.removed.filter((l) => l.trim()) : h.removed;
    if (state !== 'accepted') for (const text of state === 'pending' ? removed : h.removed) out.push({ text, kind: state === 'pending' ? 'removed' : 'same', hunk: i });
    if (state !== 'rejected') for (const text of h.added) out.push({ text, kind: state === 'pending' ? 'added' : 'same', hunk: i });
    at = h.oldStart + h.removed.length;
  });
  for (const text of lines.slice(at)) out.push({ text, kind: 'same' });
  return out;
}
