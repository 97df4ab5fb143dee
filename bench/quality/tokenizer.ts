/**
 * Where the oracle's text splits into tokens: the worker's stops and the token limit run once per
 * generated token, so their result depends on the token boundaries. The bench uses a real
 * vocabulary (Qwen2.5-Coder's, from the fim-qwen2 test model, loaded vocabulary-only); the unit test
 * uses `approximateTokenizer` to stay pure and fast.
 */
export interface OracleTokenizer {
  /** The end offset (in characters) of each token of `text`, in order; the last is text.length. */
  boundaries(text: string): number[];
}

/**
 * A rough stand-in for a code BPE: a line break with the next line's indentation, a word with the
 * spaces before it, a number, a run of spaces, or one other character. Close enough for where the
 * token limit and the time budget fall; the bench measures with the real vocabulary.
 */
export const approximateTokenizer: OracleTokenizer = {
  boundaries(text: string): number[] {
    const ends: number[] = [];
    for (const m of text.matchAll(/\n[ \t]*|[ \t]?[A-Za-z_$][A-Za-z0-9_$]{0,11}|[0-9]{1,3}|[ \t]+|[^]/g)) ends.push(m.index + m[0].length);
    return ends;
  },
};

/** The real tokenizer of a GGUF file, without its weights (node-llama-cpp's `vocabOnly`). */
export async function ggufTokenizer(modelPath: string): Promise<{ tokenizer: OracleTokenizer; dispose: () => Promise<void> }> {
  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: 'error' as never });
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  const memo = new Map<string, number[]>();
  const tokenizer: OracleTokenizer = {
    boundaries(text: string): number[] {
      const hit = memo.get(text);
      if (hit) return hit;
      const tokens = model.tokenize(text, false);
      const ends: number[] = [];
      // Detokenizing each growing prefix gives the character offset after each token (a token may
      // hold part of a multi-byte character: its end is where the character is complete).
      let prev = 0;
      for (let i = 1; i <= tokens.length; i++) {
        const n = i === tokens.length ? text.length : model.detokenize(tokens.slice(0, i)).length;
        const end = Math.max(prev, Math.min(n, text.length));
        ends.push(end);
        prev = end;
      }
      if (memo.size > 20_000) memo.clear();
      memo.set(text, ends);
      return ends;
    },
  };
  return { tokenizer, dispose: async () => { await model.dispose(); await llama.dispose(); } };
}
