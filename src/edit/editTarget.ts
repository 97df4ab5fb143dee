import * as vscode from 'vscode';

/** What an edit rewrites: whole lines, or an empty line where new code goes. */
export interface EditTarget {
  /** Whole lines: from column 0 of the first to the end of the last (no line break). */
  range: vscode.Range;
  mode: 'edit' | 'generate';
  /** Where the target came from, for the input box's prompt. */
  source: 'selection' | 'symbol' | 'paragraph' | 'empty line';
  /** The symbol's name when the target is one. */
  name?: string;
}

/**
 * The selection (grown to whole lines); with none, the innermost document symbol around the
 * cursor, else the paragraph of non-blank lines around it; on an empty line, that line, where
 * new code is generated.
 */
export async function chooseEditTarget(editor: vscode.TextEditor): Promise<EditTarget> {
  const doc = editor.document;
  const sel = editor.selection;
  if (!sel.isEmpty) {
    // A selection ending at column 0 ends on the line above: the usual shape of a dragged line selection.
    const last = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
    return { range: lines(doc, sel.start.line, last), mode: 'edit', source: 'selection' };
  }
  const line = sel.active.line;
  if (doc.lineAt(line).isEmptyOrWhitespace) return { range: doc.lineAt(line).range, mode: 'generate', source: 'empty line' };
  const symbol = await enclosingSymbol(doc, sel.active);
  if (symbol) return { range: lines(doc, symbol.range.start.line, symbol.range.end.line), mode: 'edit', source: 'symbol', name: symbol.name };
  let first = line;
  let last = line;
  while (first > 0 && !doc.lineAt(first - 1).isEmptyOrWhitespace) first--;
  while (last < doc.lineCount - 1 && !doc.lineAt(last + 1).isEmptyOrWhitespace) last++;
  return { range: lines(doc, first, last), mode: 'edit', source: 'paragraph' };
}

function lines(doc: vscode.TextDocument, first: number, last: number): vscode.Range {
  return new vscode.Range(first, 0, last, doc.lineAt(last).text.length);
}

/** Symbol kinds that are blocks worth rewriting; a variable or a field inside them is not the target. */
const blockKinds = new Set([
  vscode.SymbolKind.Function,
  vscode.SymbolKind.Method,
  vscode.SymbolKind.Constructor,
  vscode.SymbolKind.Class,
  vscode.SymbolKind.Interface,
  vscode.SymbolKind.Enum,
  vscode.SymbolKind.Struct,
  vscode.SymbolKind.Module,
  vscode.SymbolKind.Namespace,
  vscode.SymbolKind.Object,
]);

async function enclosingSymbol(doc: vscode.TextDocument, at: vscode.Position): Promise<{ name: string; range: vscode.Range } | undefined> {
  let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
  try {
    symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri);
  } catch {
    return undefined; // no provider for this language: the paragraph serves
  }
  let best: { name: string; range: vscode.Range } | undefined;
  const visit = (list: readonly (vscode.DocumentSymbol | vscode.SymbolInformation)[]) => {
    for (const s of list) {
      const range = 'location' in s ? s.location.range : s.range;
      if (!range.contains(at)) continue;
      // Innermost wins: a method inside a class is the target, not the class.
      if (blockKinds.has(s.kind) && range.end.line > range.start.line && (!best || best.range.contains(range))) best = { name: s.name, range };
      if ('children' in s && s.children) visit(s.children);
    }
  };
  visit(symbols ?? []);
  return best;
}
