/**
 * Which of the completion context's sequences ("places") serves a prompt.
 *
 * One sequence holds one prompt's KV state, so a jump to another place in the file (or another
 * file) evaluated the whole prompt there, and the jump back evaluated the first place's prompt
 * again, although nothing had changed there. With a few sequences, each keeps the state of a
 * place the user worked at recently, as llama-server's slots do (`--parallel` with its prompt
 * similarity): a prompt goes to the sequence that keeps the most of it, and a prompt that none
 * keeps much of (a jump to a new place) overwrites the least recently used one that holds its
 * head, not the place just left.
 */
import { commonPrefix, planKvReuse } from './planKvReuse';

export interface PlaceState {
  /** The tokens the sequence's KV cache holds, or is filling (the last prompt it was given). */
  tokens: ArrayLike<number>;
  /** When it last served a prompt (a counter; 0 = never). */
  lastUsed: number;
}

/**
 * The cached tokens a prompt can keep: the common prefix, and with `minRun` > 0 also the runs
 * that planKvReuse.ts can move into place.
 */
export function keptTokens(cached: ArrayLike<number>, prompt: ArrayLike<number>, minRun: number): number {
  return minRun > 0 ? planKvReuse(cached, prompt, minRun).kept : commonPrefix(cached, prompt);
}

/**
 * The index of the place for `prompt`: of the places that keep at least `worthIt` tokens of it
 * past `head` (its first tokens, which do not depend on where the cursor is: the FIM markers and
 * the extra context, FimPrompt.stableLength), or half of what follows the head in a short prompt,
 * the one that keeps the most. If none does, the prompt is at a new place and goes to the least
 * recently used place of those that keep within `worthIt` tokens of the most any place keeps: a
 * long head (the extra context) cached in one place only is not evaluated again to spare a place.
 */
export function choosePlace(places: readonly PlaceState[], prompt: ArrayLike<number>, head: number, minRun: number, worthIt: number): number {
  const need = Math.min(prompt.length, head + Math.max(1, Math.min(worthIt, Math.ceil((prompt.length - head) / 2))));
  const kept = places.map((p) => keptTokens(p.tokens, prompt, minRun));
  let best = -1;
  for (let i = 0; i < places.length; i++) if (kept[i] >= need && (best < 0 || kept[i] > kept[best])) best = i;
  if (best >= 0) return best;
  const most = Math.max(...kept);
  let lru = -1;
  for (let i = 0; i < places.length; i++) {
    if (kept[i] >= most - worthIt && (lru < 0 || places[i].lastUsed < places[lru].lastUsed)) lru = i;
  }
  return lru;
}
