/**
 * Completion beside an open suggestion list. VS Code shows inline text then only when it extends
 * the list's selected item (the item's text over the item's range), so Sovereign completes as if
 * that item had been inserted, and answers with the item's text followed by the model's.
 */
import type { LineSource } from './completionWindow';

export interface TextPosition {
  line: number;
  character: number;
}

/** The item the suggestion list has selected: the text it would put in place of its range. */
export interface SelectedItem {
  text: string;
  start: TextPosition;
  end: TextPosition;
}

/** The document as it reads once the item is inserted, and the cursor right after the item's text. */
export interface ItemInserted {
  doc: LineSource;
  line: number;
  character: number;
}

/**
 * The prompt's prefix ends with the item's text; its suffix starts after the item's range (not at
 * the cursor): that is the document a user has after accepting the item, so the suggestion for it
 * is found again in the cache once the item is in, and replaced text is not suggested twice.
 * Only the edited lines are built; the rest is read from `doc` on demand.
 */
export function withItemInserted(doc: LineSource, item: SelectedItem): ItemInserted {
  const head = doc.lineAt(item.start.line).slice(0, item.start.character);
  const tail = doc.lineAt(item.end.line).slice(item.end.character);
  const upToCursor = (head + item.text).split(/\r?\n/);
  const edited = [...upToCursor.slice(0, -1), upToCursor[upToCursor.length - 1] + tail];
  const first = item.start.line;
  const shift = edited.length - (item.end.line - first + 1);
  return {
    doc: {
      lineCount: doc.lineCount + shift,
      lineAt: (i) => (i < first ? doc.lineAt(i) : i < first + edited.length ? edited[i - first] : doc.lineAt(i - shift)),
    },
    line: first + upToCursor.length - 1,
    character: upToCursor[upToCursor.length - 1].length,
  };
}

/** The inline item to return: the selected item's text, then the model's continuation, over the item's range. */
export function extendItem(item: SelectedItem, continuation: { text: string; replaceIndent: boolean }): SelectedItem | undefined {
  // A continuation that rewrites the line's indentation would replace text left of the item's
  // range; VS Code would not show it beside the list.
  if (continuation.replaceIndent || !continuation.text) return undefined;
  return { text: item.text + continuation.text, start: item.start, end: item.end };
}
