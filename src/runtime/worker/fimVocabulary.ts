import type { FimTokenizer } from './fimFormat';
import type { LlamaModel, Token } from './nodeLlamaCpp';

const CONTROL_TYPE = 3; // llama_token_type LLAMA_TOKEN_TYPE_CONTROL in GGUF tokenizer.ggml.token_type
/** Tokenized texts kept: extra chunks, suffix, header and all prefix blocks but the last repeat on every keystroke. */
const CACHE_ENTRIES = 256;

/**
 * What a FIM prompt needs from a model's vocabulary: control tokens found by their text, and
 * user text tokenized WITHOUT special tokens, so text that spells a control token
 * (`<|fim_prefix|>` in a file) stays plain text.
 */
export class FimVocabulary implements FimTokenizer {
  /** SentencePiece vocabularies (llama, Mistral) put a dummy space before each tokenized text. */
  readonly addsDummySpace: boolean;
  private readonly texts: readonly string[];
  /** Control tokens: typed CONTROL in the file, or found as control by `control()`. */
  private readonly controls = new Set<Token>();
  private readonly cache = new Map<string, readonly Token[]>();

  get bos(): Token | undefined {
    const t = this.model.tokens;
    return t.shouldPrependBosToken && t.bos != null ? t.bos : undefined;
  }

  get infill(): FimTokenizer['infill'] {
    return this.model.tokens.infill;
  }

  constructor(readonly model: LlamaModel) {
    const ggml = model.fileInfo.metadata?.tokenizer?.ggml;
    this.texts = ggml?.tokens ?? [];
    (ggml?.token_type ?? []).forEach((type, id) => {
      if (type === CONTROL_TYPE) this.controls.add(id as Token);
    });
    const plain = model.tokenize('a', false);
    const bare = this.afterSentinel('a', '\n');
    this.addsDummySpace = bare !== undefined && !sameTokens(plain, bare);
  }

  /** The id of the first text that is exactly one control token of the vocabulary. */
  control(...texts: string[]): Token | undefined {
    for (const text of texts) {
      const ids = this.model.tokenize(text, true);
      if (ids.length === 1 && this.model.getTokenAttributes(ids[0]).control) {
        this.controls.add(ids[0]);
        return ids[0];
      }
    }
    return undefined;
  }

  /**
   * A token by its exact text, control or not: stop tokens are generated, never parsed, and some
   * files type them as normal tokens (CodeLlama's `▁<EOT>`).
   */
  token(text: string): Token | undefined {
    const control = this.control(text);
    if (control !== undefined) return control;
    const id = this.texts.indexOf(text);
    return id >= 0 ? (id as Token) : undefined;
  }

  /** User text at the start of a span, tokenized as the model does (dummy space included). */
  lead(text: string): readonly Token[] {
    return this.cached(`L${text}`, () => this.safe(text, (t) => this.rawLead(t)));
  }

  /**
   * User text that continues a span, without the dummy space: tokenize sentinel + text and drop
   * the sentinel's tokens (what CodeLlama's and Mistral's reference encoders do with "☺").
   * node-llama-cpp's "trimLeadingSpace" keeps the space for text that starts with "\n".
   */
  bare(text: string): readonly Token[] {
    if (!this.addsDummySpace) return this.lead(text);
    return this.cached(`B${text}`, () => this.safe(text, (t) => this.rawBare(t)));
  }

  private cached(key: string, make: () => Token[]): readonly Token[] {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const tokens = make();
    this.cache.set(key, tokens);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return tokens;
  }

  private rawLead(text: string): Token[] {
    return text === '' ? [] : this.model.tokenize(text, false);
  }

  private rawBare(text: string): Token[] {
    if (text === '' || !this.addsDummySpace) return this.rawLead(text);
    return this.afterSentinel(text, '\n') ?? this.afterSentinel(text, '☺') ?? this.rawLead(text);
  }

  /**
   * Tokenizing without special tokens stops llama.cpp from PARSING control-token text, but its
   * SentencePiece tokenizer merges pieces by looking them up in the whole vocabulary, control
   * pieces included: CodeLlama's vocabulary has "▁<PRE", so " <PRE>" in a file merges into the
   * control token ▁<PRE>. When that happens, cut the text inside each such token's text and
   * tokenize the parts apart (then, if ever needed, character by character).
   */
  private safe(text: string, first: (text: string) => Token[]): Token[] {
    const tokens = first(text);
    const found = tokens.filter((t) => this.controls.has(t));
    if (found.length === 0) return tokens;
    const cuts = new Set<number>();
    for (const id of new Set(found)) {
      const core = (this.texts[id] ?? '').replace(/^▁+/, '').replaceAll('▁', ' ');
      if (core.length < 2) continue;
      for (let i = text.indexOf(core); i !== -1; i = text.indexOf(core, i + 1)) cuts.add(i + 1);
    }
    const split = (at: number[]): Token[] => {
      const bounds = [0, ...at.filter((i) => i > 0 && i < text.length).sort((a, b) => a - b), text.length];
      return bounds.slice(1).flatMap((end, i) => {
        const part = text.slice(bounds[i], end);
        return i === 0 ? first(part) : this.rawBare(part);
      });
    };
    const cut = split([...cuts]);
    if (!cut.some((t) => this.controls.has(t))) return cut;
    const points: number[] = [];
    let offset = 0;
    for (const ch of text) {
      points.push(offset);
      offset += ch.length;
    }
    return split(points);
  }

  private afterSentinel(text: string, sentinel: string): Token[] | undefined {
    const head = this.model.tokenize(sentinel, false);
    const all = this.model.tokenize(sentinel + text, false);
    if (head.length === 0 || all.length < head.length || !head.every((t, i) => all[i] === t)) return undefined;
    if (this.model.detokenize(all) !== this.model.detokenize(head) + text) return undefined;
    return all.slice(head.length);
  }
}

function sameTokens(a: readonly Token[], b: readonly Token[]): boolean {
  return a.length === b.length && a.every((t, i) => b[i] === t);
}
