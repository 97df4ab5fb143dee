/**
 * Remembers token counts of texts (conversation messages, attached files), so refreshing the chips
 * after each edit tokenizes only what changed: the worker's event loop is shared with completion.
 * Only valid for one tokenizer: clear it when the chat model changes.
 */
export class TokenCountCache {
  private readonly counts = new Map<string, number>();
  private model: string | undefined;

  constructor(private readonly capacity = 256) {}

  async count(texts: string[], countMissing: (texts: string[]) => Promise<number[]>, model?: string): Promise<number[]> {
    if (model !== this.model) {
      this.counts.clear();
      this.model = model;
    }
    const missing = [...new Set(texts.filter((t) => !this.counts.has(t)))];
    const fresh = new Map<string, number>();
    if (missing.length) {
      const counted = await countMissing(missing);
      missing.forEach((t, i) => fresh.set(t, counted[i]));
    }
    return texts.map((t) => {
      const n = fresh.get(t) ?? this.counts.get(t) ?? 0;
      this.set(t, n); // most recently used last
      return n;
    });
  }

  private set(text: string, tokens: number): void {
    this.counts.delete(text);
    this.counts.set(text, tokens);
    while (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value!);
  }
}
