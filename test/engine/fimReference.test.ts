/**
 * Every FIM layout against its model's own reference, token by token, with the real vocabularies
 * of the test models (issue 13.3).
 *
 * The references are written here from each model's documentation, paper or reference encoder,
 * WITHOUT src/fim: the prompt text (or, for the SentencePiece families, the reference encoder's
 * per-piece encoding) is spelled out below and tokenized by the model's own tokenizer; the worker's
 * tokens (runtime/worker/fimFormat.ts) and the team server's text (src/fim/fimText.ts, tokenized as
 * a server does) must equal it. test/engine/fimFormat.test.ts checks budgets, injection and caching
 * against hand-built expectations; this file checks that the layout is the one the model was
 * trained on.
 *
 *   TEST_LAYER=engine bash test/harness/offline.sh --loopback npx mocha --timeout 300000 test/engine/fimReference.test.ts
 */
import assert from 'node:assert/strict';
import type { Llama, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { FimTemplate } from '../../src/fim/fimFamilies';
import type { FimChunk, FimPromptParts } from '../../src/fim/fimLayout';
import { fimPromptText } from '../../src/fim/fimText';
import { detectFimFormat, type FimFormat } from '../../src/runtime/worker/fimFormat';
import { ensureTestModels, testModelPath, type TestModelName } from '../../scripts/models/testModels';

const BIG = { maxPrefixTokens: 1 << 16, maxSuffixTokens: 1 << 16, maxExtraTokens: 1 << 16 };

/** What a reference needs from the model's own tokenizer. */
interface Vocab {
  /** BOS id. */
  bos: Token;
  /** A token by its exact piece text in the GGUF vocabulary (SentencePiece's `piece_to_id`). */
  piece(text: string): Token;
  /** The whole text as a Hugging Face tokenizer reads it: special tokens split out, each run of text tokenized whole. */
  textWithSpecials(text: string): Token[];
  /** SentencePiece `encode(s)`: dummy space first (`tokenizer.encode(pre, bos=False, eos=False)`). */
  encode(text: string): Token[];
  /** `encode_infilling(s)` = `sp.encode("☺" + s)[2:]`: no dummy space (Meta's and Mistral's reference encoders). */
  encodeInfilling(text: string): Token[];
}

/** A workspace file as the user sees it: the product sends path and text; the reference needs them too. */
interface Case {
  name: string;
  parts: FimPromptParts;
}

/**
 * Chunks are cut the way the context ring cuts them (lines joined by "\n", completion/contextRing.ts
 * chunkAround), one of them a file's end (its text ends with the file's final newline).
 */
const chunks: FimChunk[] = [
  { path: 'src/util.ts', text: 'export function add(a: number, b: number): number {\n  return a + b;\n}' },
  { path: 'tools/gen.py', text: 'def helper(x):\n    return x * 2\n' },
];
const prefix = "import { add } from './util';\n\nexport function main(): void {\n  const total = add(";
const suffix = ');\n  console.log(total);\n}\n';

const CASES: Case[] = [
  // No workspace folder: no path, no repository, no other files.
  { name: 'plain', parts: { extra: [], prefix, suffix } },
  // A file in a workspace folder, extra context off.
  { name: 'path header', parts: { repoName: 'sovereign', extra: [], filePath: 'src/main.ts', prefix, suffix } },
  // A file in a workspace folder with extra context.
  { name: 'path header and extra context', parts: { repoName: 'sovereign', extra: chunks, filePath: 'src/main.ts', prefix, suffix } },
  // A prefix cut at a blank line, and a suffix that starts with one: the text next to a control
  // token starts with "\n", where BPE merges newlines and SentencePiece puts its dummy space.
  {
    name: 'blank first lines',
    parts: { repoName: 'sovereign', extra: chunks, filePath: 'src/main.ts', prefix: `\n\n${prefix}`, suffix: `\n\n  return;\n}\n` },
  },
  // A prefix cut at the start of an indented line, the usual cut (fitPrefix cuts at line starts).
  {
    name: 'indented first line',
    parts: { repoName: 'sovereign', extra: chunks, filePath: 'src/main.ts', prefix: `    const a = 1;\n\t\tb(${prefix}`, suffix: `  \n  x();\n` },
  },
  { name: 'empty prefix and suffix', parts: { repoName: 'sovereign', extra: chunks, filePath: 'src/main.ts', prefix: '', suffix: '' } },
  // Text typed since the hole opened (src/fim/holeStart.ts): the middle the model would have
  // written so far. A training document is prefix, suffix, then the whole middle; a prompt that ends
  // inside the middle is a prefix of one. The families without a typed middle read it as the end
  // of their prefix.
  {
    name: 'typed middle across lines',
    parts: { repoName: 'sovereign', extra: chunks, filePath: 'src/main.ts', prefix: "import { add } from './util';\n\n", middle: 'export function main(): void {\n  const total = add(', suffix },
  },
  { name: 'typed middle at a line start', parts: { extra: [], prefix, middle: '    ', suffix: '\n}\n' } },
];

/**
 * Other files as code, for the families trained on repository documents without repository tokens:
 * DeepSeek-Coder's README, "Repository Level Code Completion", feeds files concatenated in one
 * document, each starting with a comment that names its path (`#utils.py` … `# model.py` …
 * `# main.py`), separated by blank lines, the file being completed last. The README fixes the path
 * comment line and the blank line between files, not how many blank lines: one here. A file's
 * text ends in exactly one newline before that blank line.
 */
function commentDocument(p: FimPromptParts, middle = ''): string {
  const comment = (path: string) => (path.endsWith('.py') ? `# ${path}` : `// ${path}`);
  const files = p.extra.map((c) => `${comment(c.path)}\n${c.text.replace(/\n$/, '')}\n\n`).join('');
  return files + (p.filePath === undefined ? '' : `${comment(p.filePath)}\n`) + p.prefix + middle;
}

interface Family {
  model: TestModelName;
  template: FimTemplate;
  reference(v: Vocab, p: FimPromptParts): Token[];
  /** The known gap between the server's text and the reference (see the Codestral case), if any. */
  serverText?(v: Vocab, p: FimPromptParts): Token[];
}

const FAMILIES: Family[] = [
  {
    model: 'fim-qwen2',
    template: 'qwen',
    // Qwen2.5-Coder technical report (arXiv:2409.12186) §3.2, Figure 3 (file level) and Figure 4
    // (repo level), and QwenLM/Qwen2.5-Coder examples/Qwen2.5-Coder-fim.py and
    // examples/Qwen2.5-Coder-repolevel-fim.py (tokenizer(input_text), no BOS):
    //   <|fim_prefix|>{code_pre}<|fim_suffix|>{code_suf}<|fim_middle|>
    //   <|repo_name|>{repo_name}\n<|file_sep|>{file_path1}\n{file_content1}\n<|file_sep|>{file_path2}\n
    //   {file_content2}\n<|file_sep|>{file_path3}\n<|fim_prefix|>{code_pre}<|fim_suffix|>{code_suf}<|fim_middle|>
    // The repolevel example writes each file's text with its final newline, then that "\n": a
    // blank line before the next <|file_sep|>.
    reference: (v, p) => {
      const repo =
        p.repoName === undefined
          ? ''
          : `<|repo_name|>${p.repoName}\n${p.extra.map((c) => `<|file_sep|>${c.path}\n${c.text}\n`).join('')}<|file_sep|>${p.filePath}\n`;
      return v.textWithSpecials(`${repo}<|fim_prefix|>${p.prefix}<|fim_suffix|>${p.suffix}<|fim_middle|>${p.middle ?? ''}`);
    },
  },
  {
    model: 'fim-deepseek',
    template: 'deepseek',
    // deepseek-ai/DeepSeek-Coder README, "Code Insertion": tokenizer(input_text) of
    //   <｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>
    // with the BOS its tokenizer adds (<｜begin▁of▁sentence｜>; the GGUF's tokenizer.ggml.add_bos_token);
    // other files inside the prefix as the README's repository-level example writes them.
    reference: (v, p) => [v.bos, ...v.textWithSpecials(`<｜fim▁begin｜>${commentDocument(p)}<｜fim▁hole｜>${p.suffix}<｜fim▁end｜>${p.middle ?? ''}`)],
  },
  {
    model: 'fim-starcoder2',
    template: 'starcoder2',
    // StarCoder2 paper (Lozhkov et al. 2024, arXiv:2402.19173) §5.1: with metadata (50% of training)
    //   <repo_name>reponame<file_sep>filepath0\ncode0<file_sep><fim_prefix>filepath1\ncode1_pre<fim_suffix>code1_suf<fim_middle>
    // and without it `<file_sep>code1<file_sep>code2 …`, FIM applied to a chunk after a <file_sep>:
    //   <file_sep><fim_prefix>code_pre<fim_suffix>code_suf<fim_middle>
    // No newline after the repo name or a file's code; no BOS (GPT-2 style tokenizer).
    reference: (v, p) => {
      const meta = p.repoName !== undefined;
      const files = meta ? `<repo_name>${p.repoName}${p.extra.map((c) => `<file_sep>${c.path}\n${c.text}`).join('')}` : '';
      const path = meta ? `${p.filePath}\n` : '';
      return v.textWithSpecials(`${files}<file_sep><fim_prefix>${path}${p.prefix}<fim_suffix>${p.suffix}<fim_middle>${p.middle ?? ''}`);
    },
  },
  {
    model: 'fim-codellama',
    template: 'codellama',
    // Code Llama paper (Rozière et al. 2023, arXiv:2308.12950) §2.3 and Meta's reference
    // meta-llama/codellama llama/generation.py `infilling_prompt_tokens` (prefix-suffix-middle,
    // "<PRE> {pre} <SUF>{suf} <MID>"):
    //   [bos_id, prefix_id] + encode(pre) + [suffix_id] + encode_infilling(suf) + [middle_id]
    // with prefix_id = piece_to_id("▁<PRE>") etc. (llama/tokenizer.py). Sovereign does not use the
    // suffix-first variant ("<PRE> <SUF>{suf} <MID> {pre}").
    reference: (v, p) => [
      v.bos, v.piece('▁<PRE>'), ...v.encode(commentDocument(p, p.middle)),
      v.piece('▁<SUF>'), ...v.encodeInfilling(p.suffix), v.piece('▁<MID>'),
    ],
  },
  {
    model: 'fim-codestral',
    template: 'codestral',
    // mistralai/mistral-common InstructTokenizerV2.encode_fim (FIMRequest prompt/suffix):
    //   [BOS, SUFFIX, *_encode_infilling(suffix) (none when the suffix is empty), PREFIX, *encode(prompt)]
    // i.e. "<s>[SUFFIX]suffix[PREFIX] prefix" (mistralai/cookbook, tokenization chat_templates.md).
    reference: (v, p) => [
      v.bos, v.piece('[SUFFIX]'), ...(p.suffix ? v.encodeInfilling(p.suffix) : []), v.piece('[PREFIX]'), ...v.encode(commentDocument(p, p.middle)),
    ],
    // Text cannot refuse the dummy space llama.cpp gives text after a special token: a server
    // encodes the suffix as encode(suffix), not encode_infilling (stated in src/fim/fimText.ts).
    serverText: (v, p) => [v.piece('[SUFFIX]'), ...v.encode(p.suffix), v.piece('[PREFIX]'), ...v.encode(commentDocument(p, p.middle))],
  },
];

function vocabOf(model: LlamaModel): Vocab {
  const pieces = model.fileInfo.metadata.tokenizer.ggml.tokens;
  const piece = (text: string): Token => {
    const id = pieces.indexOf(text);
    assert.ok(id >= 0, `vocabulary has ${text}`);
    return id as Token;
  };
  const smile = model.tokenize('☺', false);
  return {
    bos: model.tokens.bos!,
    piece,
    textWithSpecials: (text) => model.tokenize(text, true),
    encode: (text) => (text === '' ? [] : model.tokenize(text, false)),
    encodeInfilling: (text) => {
      // `[2:]` drops "▁" and "☺": only right where "☺" is one piece after the dummy space.
      assert.deepEqual(smile.map((t) => pieces[t]), ['▁', '☺']);
      return model.tokenize(`☺${text}`, false).slice(2);
    },
  };
}

/** The first index where two token lists differ, with the pieces around it, for a readable failure. */
function firstDifference(model: LlamaModel, got: readonly Token[], want: readonly Token[]): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const show = (ts: readonly Token[]) => JSON.stringify(ts.slice(Math.max(0, i - 3), i + 4).map((t) => model.fileInfo.metadata.tokenizer.ggml.tokens[t]));
  return `differs at token ${i} of ${got.length}/${want.length}: got ${show(got)}, reference ${show(want)}`;
}

describe('FIM layouts against their references', function () {
  this.timeout(120_000);

  let llama: Llama | undefined;
  const loaded: LlamaModel[] = [];

  before(async () => {
    await ensureTestModels();
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
  });

  after(async () => {
    for (const m of loaded) await m.dispose();
    await llama?.dispose();
  });

  for (const f of FAMILIES) {
    describe(`${f.template} (${f.model})`, () => {
      let model: LlamaModel;
      let format: FimFormat;
      let vocab: Vocab;

      before(async () => {
        model = await llama!.loadModel({ modelPath: testModelPath(f.model) });
        loaded.push(model);
        const found = detectFimFormat(model);
        assert.ok(found, 'FIM detected');
        format = found;
        vocab = vocabOf(model);
      });

      for (const c of CASES) {
        it(`worker tokens are the reference: ${c.name}`, () => {
          const got = format.build(c.parts, BIG).tokens;
          const want = f.reference(vocab, c.parts);
          assert.deepEqual(got, want, firstDifference(model, got, want));
        });

        it(`server text tokenizes to the reference: ${c.name}`, () => {
          // As llama-server reads a /v1/completions prompt: specials parsed, its own BOS added.
          const got = model.tokenize(fimPromptText(f.template, c.parts), true);
          const reference = f.reference(vocab, c.parts);
          const want = f.serverText?.(vocab, c.parts) ?? (reference[0] === vocab.bos ? reference.slice(1) : reference);
          assert.deepEqual(got, want, firstDifference(model, got, want));
        });
      }
    });
  }
});
