/**
 * Recent suggestions by the text around the cursor, with "type-through": typing the first
 * characters of a shown suggestion finds the rest here, with no model call.
 */
export interface CachedSuggestion {
  text: string;
}

/** Enough text to tell positions apart; the windows themselves can be large. */
const prefixKeyChars = 4000;
const suffixKeyChars = 1000;

export class SuggestionCache {
  private readonly entries = new Map<string, CachedSuggestion>();

  constructor(
    private readonly capacity = 250,
    /** How many typed characters type-through looks back over. */
    private readonly maxTypeThrough = 64,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  set(prefix: string, suffix: string, text: string): void {
    const key = cacheKey(prefix, suffix);
    this.entries.delete(key);
    this.entries.set(key, { text });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  /** The suggestion for exactly this position, or the rest of one the user is typing through. */
  get(prefix: string, suffix: string): { text: string; typedThrough: number } | undefined {
    const exact = this.touch(cacheKey(prefix, suffix));
    if (exact) return { text: exact.text, typedThrough: 0 };
    const limit = Math.min(this.maxTypeThrough, prefix.length);
    for (let typed = 1; typed <= limit; typed++) {
      const earlier = this.touch(cacheKey(prefix.slice(0, prefix.length - typed), suffix));
      if (!earlier) continue;
      const typedText = prefix.slice(prefix.length - typed);
      if (earlier.text.length > typed && earlier.text.startsWith(typedText)) {
        return { text: earlier.text.slice(typed), typedThrough: typed };
      }
    }
    return undefined;
  }

  clear(): void {
    this.entries.clear();
  }

  private touch(key: string): CachedSuggestion | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
}

function cacheKey(prefix: string, suffix: string): string {
  return `${prefix.slice(-prefixKeyChars)}\u0000${suffix.slice(0, suffixKeyChars)}`;
}
