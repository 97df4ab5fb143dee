/**
 * Tiny deterministic GGUF test models with real tokenizers and random weights.
 *
 * - fim-deepseek: `llama` arch + deepseek-coder vocabulary (FIM tokens <｜fim▁begin｜> 32016,
 *   <｜fim▁hole｜> 32015, <｜fim▁end｜> 32017), 32 hidden, 2 layers, F16.
 * - fim-qwen2: `qwen2` arch + Qwen2 vocabulary with Qwen2.5-Coder's added tokens at their real
 *   ids (<|fim_prefix|> 151659 ...), Qwen2.5 ChatML chat template, 64 hidden, 2 layers, Q8_0.
 * - fim-qwen2-f16: fim-qwen2's recipe in F16 (its own seeds, so other weights and other text). The
 *   server tests use it: test-models.md recommends F16 for raw llama.cpp builds, where F16 runs the
 *   same kernels in every build while Q8_0 depends on the build's CPU paths (AMX crashes).
 * - fim-starcoder2: `llama` arch + StarCoder2's vocabulary (<fim_prefix> 1, <fim_middle> 2,
 *   <fim_suffix> 3, <repo_name> 5, <file_sep> 6), 32 hidden, 2 layers, Q8_0.
 * - fim-codellama: `llama` arch + LLaMA's SentencePiece vocabulary + CodeLlama's 16 added tokens
 *   at their real ids (▁<PRE> 32007, ▁<SUF> 32008, ▁<MID> 32009, ▁<EOT> 32010 as control tokens,
 *   the partial pieces "▁<PRE" ... around them), 32 hidden, 2 layers, F16.
 * - fim-codestral: `llama` arch + LLaMA's SentencePiece vocabulary + [PREFIX] [MIDDLE] [SUFFIX]
 *   control tokens appended at 32000-32002 (the bundle has no Mistral vocabulary; Codestral's
 *   own ids are lower, its FIM tokens are the same control tokens by text), 32 hidden, 2 layers, F16.
 * - fim-generic: `llama` arch + LLaMA's SentencePiece vocabulary + CodeGemma's FIM token names
 *   (<|fim_prefix|> <|fim_middle|> <|fim_suffix|> <|file_separator|>) at 32000-32003: FIM tokens
 *   llama.cpp knows, but no repository tokens, so no named family. 32 hidden, 2 layers, F16.
 * - bench-qwen2.5-coder-0.5b-f16 (only with `bench: true`): Qwen2.5-Coder-0.5B's exact shapes,
 *   F16, same vocabulary as fim-qwen2 (1.27 GB: the real tied model is 994 MB, + 272 MB untied output).
 *
 * All models have an untied `output.weight`. Its rows are zero for tokens a model should never
 * pick under greedy decoding: every non-NORMAL token (control, user-defined, unused), ordinary
 * tokens llama.cpp makes end-of-generation by their text ('</s>'), and every byte-level token
 * whose bytes are not valid UTF-8 on their own. Weights come from a seeded
 * xorshift32 PRNG, so the same code produces byte-identical files (checked by sha256).
 *
 * Tokenizers come from the llama.cpp tree that node-llama-cpp ships as a git bundle; see vocab.ts.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GGMLType,
  GGUFValueType,
  gguf,
  parseGGUF,
  writeGGUF,
  type GGUFMetadata,
  type GGUFTensorSpec,
  type GGUFValue,
} from './gguf';
import { LLAMA_CPP_BLOBS, gpt2TokenBytes, isValidUtf8, readLlamaCppBlob } from './vocab';
import { constF32, rowsF16, rowsQ8_0, seedFor, uniformF32 } from './weights';

export type TestModelName =
  | 'fim-deepseek'
  | 'fim-qwen2'
  | 'fim-qwen2-f16'
  | 'fim-starcoder2'
  | 'fim-codellama'
  | 'fim-codestral'
  | 'fim-generic'
  | 'bench-qwen2.5-coder-0.5b-f16';

export interface TestModel {
  name: string;
  file: string;
  sha256: string;
  bench?: boolean;
}

/** Expected sha256 of each generated file (update when the generator or its inputs change). */
export const TEST_MODELS: readonly TestModel[] = [
  { name: 'fim-deepseek', file: 'fim-deepseek.gguf', sha256: '16284fb9bdf21014a62d8606f732b12df13c58b20a63f6d96ea8a4e321839f8f' },
  { name: 'fim-qwen2', file: 'fim-qwen2.gguf', sha256: 'cda188a6c493d71d167ac8fb4877a65f7d8e7bf3f9a3cb6439c13746b40b96fc' },
  { name: 'fim-qwen2-f16', file: 'fim-qwen2-f16.gguf', sha256: 'fae6d15d1409d368f418d817455c18b94ae5e412be01a665126bf7ebf4ab7c12' },
  { name: 'fim-starcoder2', file: 'fim-starcoder2.gguf', sha256: 'fff1cb2ed3da85085ac2b81984c3e074aac7d632ed5baaff0d5d23f388cb6c75' },
  { name: 'fim-codellama', file: 'fim-codellama.gguf', sha256: '397659ae9f065240e7d484bfdb3c3c28e97ebdbe8c8ceae39233bf2ca9ec26c9' },
  { name: 'fim-codestral', file: 'fim-codestral.gguf', sha256: '8d6cb4e30b568405dcd8f218fa6eb9695187a021e2b09744152555bc12ace674' },
  { name: 'fim-generic', file: 'fim-generic.gguf', sha256: '633b01b44fa9613c2f8985e3dbdc15191151054e58c6165f15fd8d3bf7884d9b' },
  { name: 'bench-qwen2.5-coder-0.5b-f16', file: 'bench-qwen2.5-coder-0.5b-f16.gguf', sha256: '26c70edaf3229f7d9e1f9b346d32d48252b8f5644b6676ffc13f627543b7026f', bench: true },
];

/** Token ids the tests rely on. */
export const QWEN25_CODER_SPECIAL_TOKENS = {
  endoftext: 151643,
  imStart: 151644,
  imEnd: 151645,
  fimPrefix: 151659,
  fimMiddle: 151660,
  fimSuffix: 151661,
  fimPad: 151662,
  repoName: 151663,
  fileSep: 151664,
} as const;

export const DEEPSEEK_CODER_FIM_TOKENS = { prefix: 32016, suffix: 32015, middle: 32017 } as const;

export const STARCODER2_SPECIAL_TOKENS = {
  endoftext: 0,
  fimPrefix: 1,
  fimMiddle: 2,
  fimSuffix: 3,
  fimPad: 4,
  repoName: 5,
  fileSep: 6,
} as const;

export const CODELLAMA_FIM_TOKENS = { prefix: 32007, suffix: 32008, middle: 32009, eot: 32010 } as const;

export const CODESTRAL_FIM_TOKENS = { prefix: 32000, middle: 32001, suffix: 32002 } as const;

export const GENERIC_FIM_TOKENS = { prefix: 32000, middle: 32001, suffix: 32002, fileSeparator: 32003 } as const;

export const devCacheDir: string = process.env.SOVEREIGN_DEV_CACHE ?? path.join(os.homedir(), '.cache', 'sovereign-dev');
export const testModelsDir: string = path.join(devCacheDir, 'models');

export function testModelPath(name: TestModelName): string {
  return path.join(testModelsDir, modelEntry(name).file);
}

function modelEntry(name: string): TestModel {
  const m = TEST_MODELS.find((x) => x.name === name);
  if (!m) throw new Error(`Unknown test model ${name}`);
  return m;
}

// ---------------------------------------------------------------------------
// Recipes

const SEED = 0x50f7e1a9;

interface Recipe {
  name: TestModelName;
  arch: 'llama' | 'qwen2';
  vocab: 'deepseek-coder' | 'qwen2.5-coder' | 'starcoder2' | 'codellama' | 'codestral' | 'generic';
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
  ropeFreqBase: number;
  rmsEps: number;
  weightType: GGMLType.F16 | GGMLType.Q8_0;
  qkvBias: boolean;
}

/** fim-qwen2's recipe; fim-qwen2-f16 is the same in F16 (its own name seeds its own weights). */
const FIM_QWEN2: Recipe = {
  name: 'fim-qwen2',
  arch: 'qwen2',
  vocab: 'qwen2.5-coder',
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 256,
  contextLength: 32768,
  ropeFreqBase: 1e6,
  rmsEps: 1e-6,
  weightType: GGMLType.Q8_0,
  qkvBias: true,
};

const RECIPES: Record<TestModelName, Recipe> = {
  'fim-deepseek': {
    name: 'fim-deepseek',
    arch: 'llama',
    vocab: 'deepseek-coder',
    nEmbd: 32,
    nLayer: 2,
    nHead: 2,
    nHeadKv: 2,
    nFf: 96,
    contextLength: 16384,
    ropeFreqBase: 100000,
    rmsEps: 1e-6,
    weightType: GGMLType.F16,
    qkvBias: false,
  },
  'fim-qwen2': FIM_QWEN2,
  'fim-qwen2-f16': { ...FIM_QWEN2, name: 'fim-qwen2-f16', weightType: GGMLType.F16 },
  'fim-starcoder2': {
    name: 'fim-starcoder2',
    arch: 'llama',
    vocab: 'starcoder2',
    nEmbd: 32,
    nLayer: 2,
    nHead: 2,
    nHeadKv: 2,
    nFf: 96,
    contextLength: 16384,
    ropeFreqBase: 100000,
    rmsEps: 1e-5,
    weightType: GGMLType.Q8_0,
    qkvBias: false,
  },
  'fim-codellama': {
    name: 'fim-codellama',
    arch: 'llama',
    vocab: 'codellama',
    nEmbd: 32,
    nLayer: 2,
    nHead: 2,
    nHeadKv: 2,
    nFf: 96,
    contextLength: 16384,
    ropeFreqBase: 1e6,
    rmsEps: 1e-5,
    weightType: GGMLType.F16,
    qkvBias: false,
  },
  'fim-codestral': {
    name: 'fim-codestral',
    arch: 'llama',
    vocab: 'codestral',
    nEmbd: 32,
    nLayer: 2,
    nHead: 2,
    nHeadKv: 2,
    nFf: 96,
    contextLength: 32768,
    ropeFreqBase: 1e6,
    rmsEps: 1e-5,
    weightType: GGMLType.F16,
    qkvBias: false,
  },
  'fim-generic': {
    name: 'fim-generic',
    arch: 'llama',
    vocab: 'generic',
    nEmbd: 32,
    nLayer: 2,
    nHead: 2,
    nHeadKv: 2,
    nFf: 96,
    contextLength: 8192,
    ropeFreqBase: 10000,
    rmsEps: 1e-5,
    weightType: GGMLType.F16,
    qkvBias: false,
  },
  // Qwen2.5-Coder-0.5B: 24 layers, 896 hidden, 14 heads, 2 KV heads, ffn 4864, vocab 151936.
  'bench-qwen2.5-coder-0.5b-f16': {
    name: 'bench-qwen2.5-coder-0.5b-f16',
    arch: 'qwen2',
    vocab: 'qwen2.5-coder',
    nEmbd: 896,
    nLayer: 24,
    nHead: 14,
    nHeadKv: 2,
    nFf: 4864,
    contextLength: 32768,
    ropeFreqBase: 1e6,
    rmsEps: 1e-6,
    weightType: GGMLType.F16,
    qkvBias: true,
  },
};

// ---------------------------------------------------------------------------
// Tokenizers

const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

interface Tokenizer {
  /** tokenizer.* metadata, in file order. */
  meta: GGUFMetadata;
  tokens: string[];
  types: number[];
}

function stringArray(v: GGUFValue | undefined, key: string): string[] {
  if (!v || v.type !== GGUFValueType.ARRAY || v.itemType !== GGUFValueType.STRING) {
    throw new Error(`vocab: ${key} is not a string array`);
  }
  return v.value.map((s) => {
    if (typeof s !== 'string') throw new Error(`vocab: ${key} has a non-UTF-8 entry`);
    return s;
  });
}

function int32Array(v: GGUFValue | undefined, key: string): number[] {
  if (!v || v.type !== GGUFValueType.ARRAY || v.itemType !== GGUFValueType.INT32) {
    throw new Error(`vocab: ${key} is not an int32 array`);
  }
  return v.value as number[];
}

function tokenizerMeta(vocabFile: Buffer): { meta: GGUFMetadata; tokens: string[]; types: number[] } {
  const src = parseGGUF(vocabFile);
  const meta: GGUFMetadata = new Map();
  for (const [k, v] of src.metadata) if (k.startsWith('tokenizer.')) meta.set(k, v);
  const tokens = stringArray(meta.get('tokenizer.ggml.tokens'), 'tokenizer.ggml.tokens');
  const types = int32Array(meta.get('tokenizer.ggml.token_type'), 'tokenizer.ggml.token_type').slice();
  return { meta, tokens, types };
}

/** convert_hf_to_gguf's does_token_look_special(). */
function looksSpecial(t: string): boolean {
  return (
    t === '<pad>' ||
    t === '<mask>' ||
    (t.startsWith('<|') && t.endsWith('|>')) ||
    (t.startsWith('<｜') && t.endsWith('｜>'))
  );
}

function withTokens(meta: GGUFMetadata, tokens: string[], types: number[]): void {
  meta.set('tokenizer.ggml.tokens', gguf.arr(GGUFValueType.STRING, tokens));
  meta.set('tokenizer.ggml.token_type', gguf.arr(GGUFValueType.INT32, types));
}

/**
 * deepseek-coder: all tokenizer.* metadata of ggml-vocab-deepseek-coder.gguf. That (older) file
 * types the added tokens <｜fim▁hole｜> <｜fim▁begin｜> <｜fim▁end｜> <pad> <|User|> <|Assistant|>
 * <|EOT|> as USER_DEFINED and the [PADn] fillers as USER_DEFINED; today's convert_hf_to_gguf
 * types them CONTROL and UNUSED, so this does the same (llama.cpp would otherwise force the FIM
 * tokens to CONTROL at load time, with a warning).
 */
function deepseekTokenizer(cacheDir: string): Tokenizer {
  const { meta, tokens, types } = tokenizerMeta(readLlamaCppBlob(cacheDir, LLAMA_CPP_BLOBS.deepseekCoderVocab));
  for (let i = 0; i < tokens.length; i++) {
    if (types[i] !== TOKEN_TYPE.USER_DEFINED) continue;
    if (/^\[PAD\d+\]$/.test(tokens[i])) types[i] = TOKEN_TYPE.UNUSED;
    else if (looksSpecial(tokens[i])) types[i] = TOKEN_TYPE.CONTROL;
  }
  for (const [id, text] of [
    [DEEPSEEK_CODER_FIM_TOKENS.prefix, '<｜fim▁begin｜>'],
    [DEEPSEEK_CODER_FIM_TOKENS.suffix, '<｜fim▁hole｜>'],
    [DEEPSEEK_CODER_FIM_TOKENS.middle, '<｜fim▁end｜>'],
  ] as const) {
    if (tokens[id] !== text) throw new Error(`vocab: deepseek-coder token ${id} is ${tokens[id]}, expected ${text}`);
  }
  withTokens(meta, tokens, types);
  return { meta, tokens, types };
}

/** Qwen2.5(-Coder)'s added tokens (tokenizer_config.json added_tokens_decoder). */
const QWEN25_ADDED_TOKENS: readonly [number, string, number][] = [
  [151643, '<|endoftext|>', TOKEN_TYPE.CONTROL],
  [151644, '<|im_start|>', TOKEN_TYPE.CONTROL],
  [151645, '<|im_end|>', TOKEN_TYPE.CONTROL],
  [151646, '<|object_ref_start|>', TOKEN_TYPE.CONTROL],
  [151647, '<|object_ref_end|>', TOKEN_TYPE.CONTROL],
  [151648, '<|box_start|>', TOKEN_TYPE.CONTROL],
  [151649, '<|box_end|>', TOKEN_TYPE.CONTROL],
  [151650, '<|quad_start|>', TOKEN_TYPE.CONTROL],
  [151651, '<|quad_end|>', TOKEN_TYPE.CONTROL],
  [151652, '<|vision_start|>', TOKEN_TYPE.CONTROL],
  [151653, '<|vision_end|>', TOKEN_TYPE.CONTROL],
  [151654, '<|vision_pad|>', TOKEN_TYPE.CONTROL],
  [151655, '<|image_pad|>', TOKEN_TYPE.CONTROL],
  [151656, '<|video_pad|>', TOKEN_TYPE.CONTROL],
  [151657, '<tool_call>', TOKEN_TYPE.USER_DEFINED], // "special": false upstream
  [151658, '</tool_call>', TOKEN_TYPE.USER_DEFINED], // "special": false upstream
  [151659, '<|fim_prefix|>', TOKEN_TYPE.CONTROL],
  [151660, '<|fim_middle|>', TOKEN_TYPE.CONTROL],
  [151661, '<|fim_suffix|>', TOKEN_TYPE.CONTROL],
  [151662, '<|fim_pad|>', TOKEN_TYPE.CONTROL],
  [151663, '<|repo_name|>', TOKEN_TYPE.CONTROL],
  [151664, '<|file_sep|>', TOKEN_TYPE.CONTROL],
];

const QWEN25_VOCAB_SIZE = 151936;

/**
 * Qwen2.5-Coder: ggml-vocab-qwen2.gguf (the Qwen1.5 vocabulary: same BPE, but only the first
 * three added tokens) with Qwen2.5-Coder's added tokens written over the [PADn] fillers at their
 * real ids, the remaining fillers typed UNUSED, eos <|im_end|>, no BOS, and Qwen2.5's chat template.
 */
function qwenTokenizer(cacheDir: string): Tokenizer {
  const src = tokenizerMeta(readLlamaCppBlob(cacheDir, LLAMA_CPP_BLOBS.qwen2Vocab));
  const { tokens, types } = src;
  const template = readLlamaCppBlob(cacheDir, LLAMA_CPP_BLOBS.qwen25ChatTemplate).toString('utf8');
  if (tokens.length > QWEN25_VOCAB_SIZE) throw new Error(`vocab: qwen2 has ${tokens.length} tokens`);
  while (tokens.length < QWEN25_VOCAB_SIZE) {
    tokens.push(`[PAD${tokens.length}]`);
    types.push(TOKEN_TYPE.UNUSED);
  }
  for (const [id, text, type] of QWEN25_ADDED_TOKENS) {
    if (tokens[id] !== text && tokens[id] !== `[PAD${id}]`) {
      throw new Error(`vocab: qwen2 token ${id} is ${tokens[id]}, expected ${text} or a [PAD] filler`);
    }
    tokens[id] = text;
    types[id] = type;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (/^\[PAD\d+\]$/.test(tokens[i])) types[i] = TOKEN_TYPE.UNUSED;
  }
  const meta: GGUFMetadata = new Map();
  for (const [k, v] of src.meta) {
    if (k === 'tokenizer.chat_template') continue;
    meta.set(k, v);
  }
  withTokens(meta, tokens, types);
  meta.set('tokenizer.ggml.eos_token_id', gguf.u32(QWEN25_CODER_SPECIAL_TOKENS.imEnd));
  meta.set('tokenizer.ggml.padding_token_id', gguf.u32(QWEN25_CODER_SPECIAL_TOKENS.endoftext));
  meta.set('tokenizer.ggml.bos_token_id', gguf.u32(QWEN25_CODER_SPECIAL_TOKENS.endoftext));
  meta.set('tokenizer.ggml.add_bos_token', gguf.bool(false));
  meta.set('tokenizer.chat_template', gguf.str(template));
  return { meta, tokens, types };
}

/**
 * StarCoder2: ggml-vocab-starcoder.gguf as it is. Despite its name it is StarCoder2's tokenizer
 * (general.architecture starcoder2, 38 special tokens with <repo_name> 5 and <file_sep> 6), so no
 * repository tokens need to be written into it.
 */
function starcoderTokenizer(cacheDir: string): Tokenizer {
  const { meta, tokens, types } = tokenizerMeta(readLlamaCppBlob(cacheDir, LLAMA_CPP_BLOBS.starcoderVocab));
  const expected: Record<keyof typeof STARCODER2_SPECIAL_TOKENS, string> = {
    endoftext: '<|endoftext|>',
    fimPrefix: '<fim_prefix>',
    fimMiddle: '<fim_middle>',
    fimSuffix: '<fim_suffix>',
    fimPad: '<fim_pad>',
    repoName: '<repo_name>',
    fileSep: '<file_sep>',
  };
  for (const [key, id] of Object.entries(STARCODER2_SPECIAL_TOKENS)) {
    const text = expected[key as keyof typeof STARCODER2_SPECIAL_TOKENS];
    if (tokens[id] !== text || types[id] !== TOKEN_TYPE.CONTROL) {
      throw new Error(`vocab: starcoder token ${id} is ${tokens[id]} (type ${types[id]}), expected control ${text}`);
    }
  }
  return { meta, tokens, types };
}

/**
 * CodeLlama's added tokens (its tokenizer.model has 32,016 pieces). 32007-32010 are the FIM
 * tokens, typed CONTROL here (llama.cpp forces ▁<PRE>/▁<SUF>/▁<MID> to control anyway); the others
 * are the partial pieces that let SentencePiece merge " <PRE>" in plain text into ▁<PRE>.
 */
const CODELLAMA_ADDED_TOKENS: readonly string[] = [
  '▁<SU', '▁<SUF', '▁<PRE', '▁<M', '▁<MID', '▁<E', '▁<EOT',
  '▁<PRE>', '▁<SUF>', '▁<MID>', '▁<EOT>',
  '▁<EOT><EOT>', '▁<EOT><EOT><EOT>', '▁<EOT><EOT><EOT><EOT>', '▁<EOT><EOT><EOT><EOT><EOT>', '▁<EOT><EOT><EOT><EOT><EOT><EOT>',
];

/** LLaMA's SentencePiece vocabulary with `added` tokens appended (score 0, as SentencePiece gives added pieces). */
function spmTokenizer(cacheDir: string, added: readonly (readonly [string, number])[]): Tokenizer {
  const { meta, tokens, types } = tokenizerMeta(readLlamaCppBlob(cacheDir, LLAMA_CPP_BLOBS.llamaSpmVocab));
  const scoresValue = meta.get('tokenizer.ggml.scores');
  if (!scoresValue || scoresValue.type !== GGUFValueType.ARRAY || scoresValue.itemType !== GGUFValueType.FLOAT32) {
    throw new Error('vocab: llama-spm has no float32 tokenizer.ggml.scores');
  }
  const scores = (scoresValue.value as number[]).slice();
  if (tokens.length !== 32000) throw new Error(`vocab: llama-spm has ${tokens.length} tokens, expected 32000`);
  for (const [text, type] of added) {
    tokens.push(text);
    types.push(type);
    scores.push(0);
  }
  withTokens(meta, tokens, types);
  meta.set('tokenizer.ggml.scores', gguf.arr(GGUFValueType.FLOAT32, scores));
  return { meta, tokens, types };
}

function codellamaTokenizer(cacheDir: string): Tokenizer {
  const fim = new Set<number>(Object.values(CODELLAMA_FIM_TOKENS));
  const tok = spmTokenizer(
    cacheDir,
    CODELLAMA_ADDED_TOKENS.map((text, i) => [text, fim.has(32000 + i) ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED] as const),
  );
  if (tok.tokens[CODELLAMA_FIM_TOKENS.prefix] !== '▁<PRE>' || tok.tokens.length !== 32016) throw new Error('vocab: codellama ids');
  return tok;
}

function codestralTokenizer(cacheDir: string): Tokenizer {
  const tok = spmTokenizer(cacheDir, [
    ['[PREFIX]', TOKEN_TYPE.CONTROL],
    ['[MIDDLE]', TOKEN_TYPE.CONTROL],
    ['[SUFFIX]', TOKEN_TYPE.CONTROL],
  ]);
  if (tok.tokens[CODESTRAL_FIM_TOKENS.suffix] !== '[SUFFIX]') throw new Error('vocab: codestral ids');
  return tok;
}

function genericTokenizer(cacheDir: string): Tokenizer {
  const tok = spmTokenizer(cacheDir, [
    ['<|fim_prefix|>', TOKEN_TYPE.CONTROL],
    ['<|fim_middle|>', TOKEN_TYPE.CONTROL],
    ['<|fim_suffix|>', TOKEN_TYPE.CONTROL],
    ['<|file_separator|>', TOKEN_TYPE.CONTROL],
  ]);
  if (tok.tokens[GENERIC_FIM_TOKENS.fileSeparator] !== '<|file_separator|>') throw new Error('vocab: generic ids');
  return tok;
}

function recipeTokenizer(recipe: Recipe, cacheDir: string): Tokenizer {
  switch (recipe.vocab) {
    case 'deepseek-coder':
      return deepseekTokenizer(cacheDir);
    case 'qwen2.5-coder':
      return qwenTokenizer(cacheDir);
    case 'starcoder2':
      return starcoderTokenizer(cacheDir);
    case 'codellama':
      return codellamaTokenizer(cacheDir);
    case 'codestral':
      return codestralTokenizer(cacheDir);
    case 'generic':
      return genericTokenizer(cacheDir);
  }
}

/**
 * Texts llama.cpp turns into end-of-generation control tokens whatever their type (src/llama-vocab.cpp).
 * Qwen's vocabulary has an ordinary BPE token '</s>' (128247) that llama.cpp makes EOG this way.
 */
const LLAMA_CPP_EOG_TEXTS = new Set([
  '<|eot_id|>', '<|im_end|>', '<|end|>', '<|return|>', '<|call|>', '<|flush|>', '<|calls|>', '<end_of_turn>',
  '<|endoftext|>', '</s>', '<|eom_id|>', '<EOT>', '_<EOT>', '[EOT]', '[EOS]', '<|end_of_text|>',
  '<end_of_utterance>', '<eos>', '<turn|>', '<|tool_response>', '<｜end▁of▁sentence｜>', '[e~[',
]);

/**
 * 1 for rows of output.weight to zero: non-NORMAL tokens, tokens llama.cpp treats as EOG by their
 * text, and byte-level tokens whose bytes are not valid UTF-8 on their own.
 */
function unwantedTokens(tok: Tokenizer): Uint8Array {
  const mask = new Uint8Array(tok.tokens.length);
  // Only GPT-2 byte-level vocabularies spell bytes as characters; SentencePiece has BYTE tokens.
  const byteLevel = tok.meta.get('tokenizer.ggml.model')?.value === 'gpt2';
  for (let i = 0; i < tok.tokens.length; i++) {
    if (tok.types[i] !== TOKEN_TYPE.NORMAL || LLAMA_CPP_EOG_TEXTS.has(tok.tokens[i])) {
      mask[i] = 1;
      continue;
    }
    if (!byteLevel) continue;
    const bytes = gpt2TokenBytes(tok.tokens[i]);
    if (bytes !== undefined && !isValidUtf8(bytes)) mask[i] = 1;
  }
  return mask;
}

// ---------------------------------------------------------------------------
// Model assembly

function fileType(t: GGMLType): number {
  // llama_ftype: 1 = MOSTLY_F16, 7 = MOSTLY_Q8_0
  return t === GGMLType.Q8_0 ? 7 : 1;
}

function buildModel(recipe: Recipe, tok: Tokenizer): { meta: GGUFMetadata; tensors: GGUFTensorSpec[] } {
  const r = recipe;
  const a = r.arch;
  const nVocab = tok.tokens.length;
  const headDim = r.nEmbd / r.nHead;
  const nEmbdKv = headDim * r.nHeadKv;

  const meta: GGUFMetadata = new Map();
  meta.set('general.architecture', gguf.str(a));
  meta.set('general.name', gguf.str(`sovereign-test ${r.name}`));
  meta.set(
    'general.description',
    gguf.str(`Sovereign test model: random weights (seed ${SEED}), real ${r.vocab} tokenizer. Not a language model.`),
  );
  meta.set('general.file_type', gguf.u32(fileType(r.weightType)));
  if (r.weightType !== GGMLType.F16) meta.set('general.quantization_version', gguf.u32(2));
  if (a === 'llama') meta.set(`${a}.vocab_size`, gguf.u32(nVocab));
  meta.set(`${a}.context_length`, gguf.u32(r.contextLength));
  meta.set(`${a}.embedding_length`, gguf.u32(r.nEmbd));
  meta.set(`${a}.block_count`, gguf.u32(r.nLayer));
  meta.set(`${a}.feed_forward_length`, gguf.u32(r.nFf));
  meta.set(`${a}.attention.head_count`, gguf.u32(r.nHead));
  meta.set(`${a}.attention.head_count_kv`, gguf.u32(r.nHeadKv));
  meta.set(`${a}.rope.freq_base`, gguf.f32(r.ropeFreqBase));
  meta.set(`${a}.attention.layer_norm_rms_epsilon`, gguf.f32(r.rmsEps));
  if (a === 'llama') meta.set(`${a}.rope.dimension_count`, gguf.u32(headDim));
  for (const [k, v] of tok.meta) meta.set(k, v);

  const seed = (t: string): number => seedFor(SEED, `${r.name}/${t}`);
  const matrix = (name: string, ne0: number, ne1: number, scale: number, zeroRows?: Uint8Array): GGUFTensorSpec => ({
    name,
    dims: [ne0, ne1],
    type: r.weightType,
    data: () =>
      r.weightType === GGMLType.Q8_0
        ? rowsQ8_0(ne1, ne0, scale, seed(name), zeroRows)
        : rowsF16(ne1, ne0, scale, seed(name), zeroRows),
  });
  const ones = (name: string, n: number): GGUFTensorSpec => ({
    name,
    dims: [n],
    type: GGMLType.F32,
    data: () => constF32(n, 1),
  });
  const bias = (name: string, n: number): GGUFTensorSpec => ({
    name,
    dims: [n],
    type: GGMLType.F32,
    data: () => uniformF32(n, 0.1, seed(name)),
  });
  // uniform(±1/sqrt(fan_in)) keeps each block's contribution to the residual stream O(1).
  const w = (name: string, fanIn: number, fanOut: number): GGUFTensorSpec => matrix(name, fanIn, fanOut, 1 / Math.sqrt(fanIn));

  const tensors: GGUFTensorSpec[] = [matrix('token_embd.weight', r.nEmbd, nVocab, 1)];
  for (let i = 0; i < r.nLayer; i++) {
    const p = `blk.${i}`;
    tensors.push(ones(`${p}.attn_norm.weight`, r.nEmbd));
    tensors.push(w(`${p}.attn_q.weight`, r.nEmbd, r.nEmbd));
    if (r.qkvBias) tensors.push(bias(`${p}.attn_q.bias`, r.nEmbd));
    tensors.push(w(`${p}.attn_k.weight`, r.nEmbd, nEmbdKv));
    if (r.qkvBias) tensors.push(bias(`${p}.attn_k.bias`, nEmbdKv));
    tensors.push(w(`${p}.attn_v.weight`, r.nEmbd, nEmbdKv));
    if (r.qkvBias) tensors.push(bias(`${p}.attn_v.bias`, nEmbdKv));
    tensors.push(w(`${p}.attn_output.weight`, r.nEmbd, r.nEmbd));
    tensors.push(ones(`${p}.ffn_norm.weight`, r.nEmbd));
    tensors.push(w(`${p}.ffn_gate.weight`, r.nEmbd, r.nFf));
    tensors.push(w(`${p}.ffn_up.weight`, r.nEmbd, r.nFf));
    tensors.push(w(`${p}.ffn_down.weight`, r.nFf, r.nEmbd));
  }
  tensors.push(ones('output_norm.weight', r.nEmbd));
  // Logits = output · rmsnorm(h): scale 3/sqrt(n_embd) gives logits with std ≈ 1.7.
  tensors.push(matrix('output.weight', r.nEmbd, nVocab, 3 / Math.sqrt(r.nEmbd), unwantedTokens(tok)));
  return { meta, tensors };
}

export interface GeneratedModel {
  name: TestModelName;
  path: string;
  size: number;
  sha256: string;
  ms: number;
}

/** (Re)generate one model file (atomically) and return its size and sha256. */
export function generateTestModel(name: TestModelName): GeneratedModel {
  const recipe = RECIPES[name];
  const start = performance.now();
  fs.mkdirSync(testModelsDir, { recursive: true });
  const tok = recipeTokenizer(recipe, devCacheDir);
  const { meta, tensors } = buildModel(recipe, tok);
  const file = testModelPath(name);
  const { size, sha256 } = writeGGUF(file, meta, tensors);
  return { name, path: file, size, sha256, ms: performance.now() - start };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface EnsureReport {
  name: TestModelName;
  path: string;
  size: number;
  sha256: string;
  /** 'cached' (verified existing file) or 'generated'. */
  action: 'cached' | 'generated';
  ms: number;
}

/**
 * Make missing test models, verify the sha256 of every file, regenerate once on a mismatch, and
 * throw if a file still does not match its expected hash. Bench models only with `bench: true`.
 */
export async function ensureTestModels(opts: { bench?: boolean } = {}): Promise<void> {
  await ensureTestModelsWithReport(opts);
}

export async function ensureTestModelsWithReport(
  opts: { bench?: boolean; force?: boolean } = {},
): Promise<EnsureReport[]> {
  const reports: EnsureReport[] = [];
  const problems: string[] = [];
  for (const model of TEST_MODELS) {
    if (model.bench && !opts.bench) continue;
    const name = model.name as TestModelName;
    const file = testModelPath(name);
    const start = performance.now();
    if (!opts.force && fs.existsSync(file)) {
      const sha = await sha256File(file);
      if (sha === model.sha256) {
        reports.push({ name, path: file, size: fs.statSync(file).size, sha256: sha, action: 'cached', ms: performance.now() - start });
        continue;
      }
    }
    const g = generateTestModel(name);
    reports.push({ name, path: g.path, size: g.size, sha256: g.sha256, action: 'generated', ms: performance.now() - start });
    if (g.sha256 !== model.sha256) {
      problems.push(
        `${model.file}: generated sha256 ${g.sha256} but expected ${model.sha256 || '(none recorded)'}`,
      );
    }
  }
  if (problems.length > 0) {
    const err = new Error(
      `Test model files do not match their expected sha256 after regeneration:\n  ${problems.join('\n  ')}\n` +
        'The generator (scripts/models/*.ts) or its inputs (node-llama-cpp\'s llama.cpp bundle) changed. ' +
        'If the change is intended, update the sha256 constants in TEST_MODELS (scripts/models/testModels.ts); ' +
        'run `npx tsx scripts/models/make.ts` to see the new values.',
    ) as Error & { reports?: EnsureReport[] };
    err.reports = reports;
    throw err;
  }
  return reports;
}

