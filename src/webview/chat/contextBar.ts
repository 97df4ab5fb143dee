import { attachmentNote, chipCount } from '../../chat/attachmentWording';
import type { ContextChip, ContextSummary } from '../../chat/messages';
import { markLocation } from './citationLinks';

const number = (n: number) => n.toLocaleString('en-US');

/**
 * The chips above the input: exactly what goes with the next message, each with its token
 * count; trimmed, left-out and refused files say so on the chip, not only in a tooltip.
 */
export function renderContextBar(list: HTMLElement, total: HTMLElement, toggles: { includeActive: HTMLInputElement; useWorkspace: HTMLInputElement }, summary: ContextSummary): void {
  toggles.includeActive.checked = summary.includeActiveFile;
  toggles.useWorkspace.checked = summary.useWorkspace;
  const approx = summary.exact ? '' : '≈';
  list.replaceChildren(...summary.chips.map((chip) => renderChip(chip, approx)));
  total.textContent = `${approx}${number(summary.promptTokens)} / ${number(summary.windowTokens)} tokens`;
  total.title = summary.exact
    ? 'Tokens the next message uses of the chat model’s context window (system prompt, attached context and conversation), counted by the model’s tokenizer.'
    : 'Estimated as characters ÷ 4 until the chat model is loaded (after the first message); then counted by the model’s tokenizer.';
  total.setAttribute('aria-label', `Context: ${total.textContent}. ${total.title}`);
}

function renderChip(chip: ContextChip, approx: string): HTMLElement {
  const item = document.createElement('li');
  item.className = `chip ${chip.state}`;
  const name = document.createElement('span');
  name.className = 'chip-label';
  // A retrieved chunk opens where it is, like a citation.
  if (chip.location) markLocation(name, chip.location);
  name.textContent = chip.kind === 'activeFile' ? `${chip.label} (active)` : chip.label;
  const count = document.createElement('span');
  count.className = 'chip-tokens';
  count.textContent = chipCount(chip, approx);
  // The tooltip says what the note below the answer will say, with the chip's own numbers.
  const why = [chip.detail, attachmentNote(chip, approx), chip.note, approx ? 'Token counts are estimates (characters ÷ 4) until the chat model is loaded.' : ''].filter(Boolean).join('\n');
  item.title = why;
  item.setAttribute('aria-label', `${name.textContent}, ${count.textContent}${chip.note ? `. ${chip.note}` : ''}`);
  item.append(name, count);
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'chip-remove';
  remove.dataset.removeChip = chip.id;
  remove.textContent = '×';
  remove.title = chip.kind === 'activeFile' ? 'Stop attaching the active file' : `Remove ${chip.label}`;
  remove.setAttribute('aria-label', remove.title);
  // A retrieved chunk goes with its question: reword the question (or turn @workspace off) instead.
  if ((chip.kind !== 'excluded' && chip.kind !== 'chunk') || chip.id === 'active') item.append(remove);
  return item;
}
