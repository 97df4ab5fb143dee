/**
 * FIM prompt layouts per model family, checked token by token against the real tokenizers of the
 * generated test models.
 *
 *   npx mocha --import=tsx --timeout 120000 test/engine/fimFormat.test.ts
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { Llama, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { FimFamily, FimTemplate } from '../../src/fim/fimFamilies';
import type { FimPromptParts } from '../../src/fim/fimLayout';
import { fimPromptText } from '../../src/fim/fimText';
import { detectFimFormat, type FimFormat } from '../../src/runtime/worker/fimFormat';
import { PREFIX_LINE_BLOCK } from '../../src/runtime/worker/fitPrefix';
import {
  CODELLAMA_FIM_TOKENS,
  CODESTRAL_FIM_TOKENS,
  DEEPSEEK_CODER_FIM_TOKENS,
  GENERIC_FIM_TOKENS,
  QWEN25_CODER_SPECIAL_TOKENS as QWEN,
  STARCODER2_SPECIAL_TOKENS as SC2,
  ensureTestModels,
  testModelPath,
  type TestModelName,
} from '../../scripts/models/testModels';

const storiesModel = resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const BIG = { maxPrefixTokens: 4096, maxSuffixTokens: 4096, maxExtraTokens: 4096 };
const DEEPSEEK_BOS = 32013; // <｜begin▁of▁sentence｜>
const DEEPSEEK_EOS = 32014; // <｜end▁of▁sentence｜>
const LLAMA_EOS = 2; // </s>

const t = (n: number) => n as Token;

/** A hand-built prompt: tokens, where the prefix text starts, and the extra-context token count. */
interface Expected {
  tokens: Token[];
  stable: number;
  extra: number;
  /** Prefix tokens, where the prefix merged into the header's last token (else: the difference with an empty prefix). */
  prefix?: number;
}

interface Tok {
  /** tokenize(text, false): what the model does at the start of a span. */
  T(text: string): Token[];
  /** The same without SentencePiece's dummy leading space (tokenize("\n" + text) minus "\n"'s tokens). */
  B(text: string): Token[];
}

interface FamilyCase {
  model: TestModelName;
  family: FimFamily;
  /** The team server's text template for the family (sovereign.server.fimTemplate). */
  template?: FimTemplate;
  stops: number[];
  /** Control tokens every prompt holds, in order, for `parts()` (see injection test). */
  structure: (p: FimPromptParts) => number[];
  expected: (k: Tok, p: FimPromptParts) => Expected;
}

const body = (text: string) => text.replace(/\n$/, '');
const comment = (path: string) => (path.endsWith('.py') ? `# ${path}` : `// ${path}`);

/**
 * The prefix span of the comment-style families: extra chunks as path-comment files, the file's
 * path comment, the prefix; each piece tokenized alone, only the first with the dummy space.
 */
function commentSpan(k: Tok, p: FimPromptParts): { tokens: Token[]; extra: number; beforePrefix: number } {
  const pieces = p.extra.map((c) => `${comment(c.path)}\n${body(c.text)}\n\n`);
  const header = p.filePath === undefined ? [] : [`${comment(p.filePath)}\n`];
  const encode = (texts: string[]) => texts.filter((x) => x !== '').flatMap((x, i) => (i === 0 ? k.T(x) : k.B(x)));
  return {
    tokens: encode([...pieces, ...header, p.prefix]),
    extra: encode(pieces).length,
    beforePrefix: encode([...pieces, ...header]).length,
  };
}

const CASES: FamilyCase[] = [
  {
    model: 'fim-qwen2',
    family: 'qwen2.5-coder',
    template: 'qwen',
    stops: [QWEN.endoftext, QWEN.fimPad, QWEN.fileSep, QWEN.repoName, QWEN.imStart, QWEN.imEnd, QWEN.fimPrefix, QWEN.fimSuffix, QWEN.fimMiddle],
    structure: (p) => [
      ...(p.repoName !== undefined ? [QWEN.repoName] : []),
      ...p.extra.map(() => QWEN.fileSep),
      ...(p.repoName !== undefined || p.extra.length > 0 || p.filePath !== undefined ? [QWEN.fileSep] : []),
      QWEN.fimPrefix, QWEN.fimSuffix, QWEN.fimMiddle,
    ],
    expected: ({ T }, p) => {
      const repo = p.repoName === undefined ? [] : [t(QWEN.repoName), ...T(`${p.repoName}\n`)];
      // A chunk keeps its final newline: `{file_content}\n<|file_sep|>` (fimReference.test.ts).
      const chunks = p.extra.flatMap((c) => [t(QWEN.fileSep), ...T(`${c.path}\n${c.text}\n`)]);
      const repoLevel = p.repoName !== undefined || p.extra.length > 0 || p.filePath !== undefined;
      const header = repoLevel ? [t(QWEN.fileSep), ...T(`${p.filePath ?? 'untitled'}\n`)] : [];
      const stable = [...repo, ...chunks, ...header, t(QWEN.fimPrefix)];
      const tokens = [...stable, ...T(p.prefix), t(QWEN.fimSuffix), ...T(p.suffix), t(QWEN.fimMiddle)];
      return { tokens, stable: stable.length, extra: chunks.length };
    },
  },
  {
    model: 'fim-deepseek',
    family: 'deepseek-coder',
    template: 'deepseek',
    stops: [DEEPSEEK_EOS, DEEPSEEK_CODER_FIM_TOKENS.prefix, DEEPSEEK_CODER_FIM_TOKENS.suffix, DEEPSEEK_CODER_FIM_TOKENS.middle],
    structure: () => [DEEPSEEK_BOS, DEEPSEEK_CODER_FIM_TOKENS.prefix, DEEPSEEK_CODER_FIM_TOKENS.suffix, DEEPSEEK_CODER_FIM_TOKENS.middle],
    expected: (k, p) => {
      const span = commentSpan(k, p);
      const tokens = [
        t(DEEPSEEK_BOS), t(DEEPSEEK_CODER_FIM_TOKENS.prefix), ...span.tokens,
        t(DEEPSEEK_CODER_FIM_TOKENS.suffix), ...k.T(p.suffix), t(DEEPSEEK_CODER_FIM_TOKENS.middle),
      ];
      return { tokens, stable: 2 + span.beforePrefix, extra: span.extra };
    },
  },
  {
    model: 'fim-starcoder2',
    family: 'starcoder2',
    template: 'starcoder2',
    stops: [SC2.endoftext, SC2.fileSep, SC2.repoName, SC2.fimPrefix, SC2.fimSuffix, SC2.fimMiddle],
    structure: (p) => [
      ...(p.repoName !== undefined ? [SC2.repoName] : []),
      ...p.extra.map(() => SC2.fileSep),
      SC2.fileSep, SC2.fimPrefix, SC2.fimSuffix, SC2.fimMiddle,
    ],
    expected: ({ T }, p) => {
      const repo = p.repoName === undefined ? [] : [t(SC2.repoName), ...T(p.repoName)];
      const chunks = p.extra.flatMap((c) => [t(SC2.fileSep), ...T(`${c.path}\n${c.text}`)]);
      // The path and the prefix are one text to the tokenizer: BPE merges "\n" with the indent after it.
      const span = T(`${p.filePath === undefined ? '' : `${p.filePath}\n`}${p.prefix}`);
      const alone = p.filePath === undefined ? [] : T(`${p.filePath}\n`);
      const header = span.slice(0, commonPrefix(alone, span));
      const stable = [...repo, ...chunks, t(SC2.fileSep), t(SC2.fimPrefix), ...header];
      const tokens = [...stable, ...span.slice(header.length), t(SC2.fimSuffix), ...T(p.suffix), t(SC2.fimMiddle)];
      return { tokens, stable: stable.length, extra: chunks.length, prefix: span.length - header.length };
    },
  },
  {
    model: 'fim-codellama',
    family: 'codellama',
    template: 'codellama',
    stops: [CODELLAMA_FIM_TOKENS.eot, CODELLAMA_FIM_TOKENS.prefix, CODELLAMA_FIM_TOKENS.suffix, CODELLAMA_FIM_TOKENS.middle],
    structure: () => [1, CODELLAMA_FIM_TOKENS.prefix, CODELLAMA_FIM_TOKENS.suffix, CODELLAMA_FIM_TOKENS.middle],
    expected: (k, p) => {
      // "<PRE> {pre} <SUF>{suf} <MID>": the prefix span gets the dummy space, the suffix does not.
      const span = commentSpan(k, p);
      const tokens = [
        t(1), t(CODELLAMA_FIM_TOKENS.prefix), ...span.tokens,
        t(CODELLAMA_FIM_TOKENS.suffix), ...k.B(p.suffix), t(CODELLAMA_FIM_TOKENS.middle),
      ];
      return { tokens, stable: 2 + span.beforePrefix, extra: span.extra };
    },
  },
  {
    model: 'fim-codestral',
    family: 'codestral',
    template: 'codestral',
    stops: [CODESTRAL_FIM_TOKENS.prefix, CODESTRAL_FIM_TOKENS.suffix, CODESTRAL_FIM_TOKENS.middle, LLAMA_EOS],
    structure: () => [1, CODESTRAL_FIM_TOKENS.suffix, CODESTRAL_FIM_TOKENS.prefix],
    expected: (k, p) => {
      // "<s>[SUFFIX]suffix[PREFIX] prefix" (mistral-common's encode_fim).
      const span = commentSpan(k, p);
      const tokens = [t(1), t(CODESTRAL_FIM_TOKENS.suffix), ...k.B(p.suffix), t(CODESTRAL_FIM_TOKENS.prefix), ...span.tokens];
      return { tokens, stable: 2, extra: span.extra };
    },
  },
  {
    model: 'fim-generic',
    family: 'generic',
    stops: [GENERIC_FIM_TOKENS.fileSeparator, GENERIC_FIM_TOKENS.prefix, GENERIC_FIM_TOKENS.suffix, GENERIC_FIM_TOKENS.middle],
    structure: () => [1, GENERIC_FIM_TOKENS.prefix, GENERIC_FIM_TOKENS.suffix, GENERIC_FIM_TOKENS.middle],
    expected: (k, p) => {
      // llama.cpp's /infill order and tokenization: [BOS] PRE prefix SUF suffix MID.
      const span = commentSpan(k, p);
      const tokens = [
        t(1), t(GENERIC_FIM_TOKENS.prefix), ...span.tokens,
        t(GENERIC_FIM_TOKENS.suffix), ...k.T(p.suffix), t(GENERIC_FIM_TOKENS.middle),
      ];
      return { tokens, stable: 2 + span.beforePrefix, extra: span.extra };
    },
  },
];

function parts(over: Partial<FimPromptParts> = {}): FimPromptParts {
  return {
    repoName: 'sovereign',
    extra: [
      { path: 'src/util.ts', text: 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
      { path: 'tools/gen.py', text: 'def helper(x):\n    return x * 2' },
    ],
    filePath: 'src/main.ts',
    prefix: "import { add } from './util';\n\nexport function main(): void {\n  const total = add(",
    suffix: ');\n  console.log(total);\n}\n',
    ...over,
  };
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `  const v${from + i} = compute(${from + i}, "line ${from + i}");\n`).join('');

describe('FIM formats', function () {
  this.timeout(120_000);

  let llama: Llama | undefined;
  const models = new Map<string, LlamaModel>();
  const load = async (file: string): Promise<LlamaModel> => {
    let m = models.get(file);
    if (!m) {
      m = await llama!.loadModel({ modelPath: file });
      models.set(file, m);
    }
    return m;
  };

  before(async () => {
    await ensureTestModels();
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
  });

  after(async () => {
    for (const m of models.values()) await m.dispose();
    await llama?.dispose();
  });

  it('stories260K (no FIM tokens) has no FIM format', async () => {
    assert.equal(detectFimFormat(await load(storiesModel)), undefined);
  });

  for (const c of CASES) {
    describe(`${c.family} (${c.model})`, () => {
      let model: LlamaModel;
      let format: FimFormat;
      let k: Tok;

      before(async () => {
        model = await load(testModelPath(c.model));
        const f = detectFimFormat(model);
        assert.ok(f, 'detected');
        format = f;
        const nl = model.tokenize('\n', false);
        const spm = model.fileInfo.metadata.tokenizer.ggml.model === 'llama';
        k = {
          T: (text) => model.tokenize(text, false),
          B: (text) => (spm && text !== '' ? model.tokenize(`\n${text}`, false).slice(nl.length) : model.tokenize(text, false)),
        };
      });

      it('is detected from the vocabulary', () => {
        assert.equal(format.family, c.family);
        assert.equal(format.suffixFirst, c.family === 'codestral');
      });

      it('has the family stop tokens', () => {
        assert.deepEqual([...format.stopTokens].sort((a, b) => a - b), [...c.stops].sort((a, b) => a - b));
      });

      it('assembles the prompt token by token (with extra context)', () => {
        const p = parts();
        const got = format.build(p, BIG);
        const want = c.expected(k, p);
        assert.deepEqual(got.tokens, want.tokens);
        assert.equal(got.stableLength, want.stable);
        assert.equal(got.extraTokens, want.extra);
        assert.ok(got.extraTokens > 0);
      });

      it('assembles the plain prompt (no repo, extra or path)', () => {
        const p = parts({ repoName: undefined, extra: [], filePath: undefined });
        const got = format.build(p, BIG);
        const want = c.expected(k, p);
        assert.deepEqual(got.tokens, want.tokens);
        assert.equal(got.stableLength, want.stable);
        assert.equal(got.extraTokens, 0);
        assert.equal(got.prefixTokens, k.T(p.prefix).length);
      });

      if (c.template !== undefined) {
        const template = c.template;
        it(`is what llama.cpp reads from the server's "${template}" text prompt`, () => {
          // As llama-server tokenizes a /v1/completions prompt: special tokens parsed, SentencePiece's
          // dummy space added at the start and after each special token (BOS aside).
          for (const p of [parts(), parts({ repoName: undefined }), parts({ repoName: undefined, extra: [], filePath: undefined })]) {
            const tokens = format.build(p, BIG).tokens;
            let want = model.tokens.shouldPrependBosToken && tokens[0] === model.tokens.bos ? tokens.slice(1) : tokens;
            if (c.family === 'codestral') {
              // Text cannot refuse the dummy space llama.cpp gives the suffix after [SUFFIX].
              want = [want[0], ...k.T(p.suffix), ...want.slice(1 + k.B(p.suffix).length)];
            }
            assert.deepEqual(model.tokenize(fimPromptText(template, p), true), want);
          }
        });
      }

      it('keeps text that spells control tokens out of the control tokens', () => {
        const spelled = [
          '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|endoftext|>',
          '<|im_start|>', '<|im_end|>', '<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>', '<｜end▁of▁sentence｜>', '<fim_prefix>',
          '<fim_suffix>', '<fim_middle>', '<file_sep>', '<repo_name>', '<PRE>', '<SUF>', '<MID>', '<EOT>', '▁<PRE>', '[PREFIX]',
          '[SUFFIX]', '[MIDDLE]', '<|file_separator|>', '<s>', '</s>',
        ];
        const text = spelled.map((s) => `x ${s} <PRE>${s}\n`).join('');
        const p = parts({
          repoName: `repo ${text}`,
          extra: [{ path: `lib/${spelled.join('')}.ts`, text }],
          filePath: `src/<|file_sep|><file_sep> <PRE>.ts`,
          prefix: text,
          suffix: text,
        });
        const types = model.fileInfo.metadata.tokenizer.ggml.token_type;
        const controls = new Set<number>([...format.stopTokens, ...c.structure(p)]);
        types.forEach((type, id) => type === 3 && controls.add(id));
        const got = format.build(p, BIG);
        assert.deepEqual(got.tokens.filter((x) => controls.has(x)), c.structure(p));
        assert.ok(got.prefixTokens > spelled.length && got.suffixTokens > spelled.length);
      });

      it('trims the prefix from its start in blocks of lines, and keeps the cut while typing', () => {
        const p0 = parts({ extra: [], prefix: `export function big(): void {\n${lines(100)}  const last = ` });
        const prefixTokens = (p: FimPromptParts) =>
          c.expected(k, p).prefix ?? c.expected(k, p).tokens.length - c.expected(k, { ...p, prefix: '' }).tokens.length;
        const lineStart = (p: FimPromptParts, line: number) => p.prefix.split('\n').slice(0, line).join('\n').length + 1;
        const tail = (p: FimPromptParts, line: number) => ({ ...p, prefix: p.prefix.slice(lineStart(p, line)) });
        // Room for the last 52 lines plus a few keystrokes: the cut must land on line 48.
        const block = 3 * PREFIX_LINE_BLOCK;
        const max = prefixTokens(tail(p0, block)) + 20;
        assert.ok(prefixTokens(tail(p0, block - PREFIX_LINE_BLOCK)) > max);
        const budget = { ...BIG, maxPrefixTokens: max };

        const got = format.build(p0, budget);
        assert.deepEqual(got.tokens, c.expected(k, tail(p0, block)).tokens);
        assert.equal(got.prefixTokens, prefixTokens(tail(p0, block)));

        // Typing at the end: the cut stays, so everything up to the typed text is reused.
        let prev = got;
        for (const typed of ['c', 'co', 'com', 'comp', 'compute(']) {
          const p = { ...p0, prefix: p0.prefix + typed };
          const next = format.build(p, budget);
          assert.deepEqual(next.tokens, c.expected(k, tail(p, block)).tokens);
          const prefixEnd = c.family === 'codestral' ? next.tokens.length : next.stableLength + next.prefixTokens;
          assert.ok(commonPrefix(prev.tokens, next.tokens) >= prefixEnd - 3, `reuse after typing ${typed}`);
          prev = next;
        }

        // Past the budget the cut jumps a whole block at once.
        let grown = p0;
        while (prefixTokens(tail(grown, block)) <= max) grown = { ...grown, prefix: `${grown.prefix}x + ` };
        const jumped = format.build(grown, budget);
        assert.deepEqual(jumped.tokens, c.expected(k, tail(grown, block + PREFIX_LINE_BLOCK)).tokens);
        assert.ok(jumped.prefixTokens <= max);
      });

      it('trims the suffix from its end', () => {
        const p = parts({ extra: [], suffix: `;\n${lines(40)}}\n` });
        const all = format.build(p, BIG);
        const got = format.build(p, { ...BIG, maxSuffixTokens: 10 });
        assert.equal(got.suffixTokens, 10);
        const at = format.suffixFirst ? got.stableLength : got.stableLength + got.prefixTokens + 1;
        const want = [...all.tokens.slice(0, at + 10), ...all.tokens.slice(at + all.suffixTokens)];
        assert.deepEqual(got.tokens, want);
        assert.deepEqual(got.tokens.slice(at, at + 10), (c.family === 'codestral' || c.family === 'codellama' ? k.B : k.T)(p.suffix).slice(0, 10));
      });

      it('drops the oldest extra chunk first', () => {
        const chunk = (i: number) => ({ path: `src/m${i}.ts`, text: `export const m${i} = ${i};\n` });
        const p = parts({ extra: [chunk(1), chunk(2), chunk(3)] });
        const size = (extra: FimPromptParts['extra']) => c.expected(k, { ...p, extra }).extra;
        for (const [keep, budget] of [
          [3, size(p.extra)],
          [2, size(p.extra) - 1],
          [2, size(p.extra.slice(1))],
          [1, size(p.extra.slice(2))],
          [0, size(p.extra.slice(2)) - 1],
          [0, 0],
        ] as const) {
          const got = format.build(p, { ...BIG, maxExtraTokens: budget });
          const want = c.expected(k, { ...p, extra: p.extra.slice(3 - keep) });
          assert.deepEqual(got.tokens, want.tokens, `keep ${keep} with ${budget}`);
          assert.equal(got.extraTokens, want.extra);
          assert.ok(got.extraTokens <= budget);
        }
      });

      it('keeps tokens[0..stableLength) whatever the prefix and suffix', () => {
        const a = format.build(parts(), BIG);
        const b = format.build(parts({ prefix: 'something else entirely\n  x = ', suffix: '\n// other' }), BIG);
        assert.ok(a.stableLength > 0);
        assert.equal(a.stableLength, b.stableLength);
        assert.deepEqual(a.tokens.slice(0, a.stableLength), b.tokens.slice(0, b.stableLength));
        assert.ok(commonPrefix(a.tokens, b.tokens) >= a.stableLength);
      });

      it('shares a long token prefix between prompts one typed character apart', () => {
        const p = parts({ prefix: `${parts().prefix}${lines(30)}  return tot` });
        const a = format.build(p, BIG);
        const b = format.build({ ...p, prefix: `${p.prefix}a` }, BIG);
        const common = commonPrefix(a.tokens, b.tokens);
        const prefixEnd = c.family === 'codestral' ? a.tokens.length : a.stableLength + a.prefixTokens;
        assert.ok(common >= prefixEnd - 2, `common ${common}, prefix ends at ${prefixEnd}`);
        assert.ok(common > 0.6 * a.tokens.length, `common ${common} of ${a.tokens.length}`);
      });

      it('is accepted by the model: greedy generation runs', async () => {
        const prompt = format.build(parts(), BIG);
        const context = await model.createContext({ contextSize: 1024, threads: 2 });
        try {
          const sequence = context.getSequence();
          const generated: Token[] = [];
          for await (const token of sequence.evaluate(prompt.tokens, { temperature: 0 })) {
            generated.push(token);
            if (generated.length >= 4) break;
          }
          assert.equal(generated.length, 4);
          assert.ok(generated.every((x) => !format.stopTokens.has(x) && !model.isEogToken(x)));
          assert.ok(sequence.nextTokenIndex >= prompt.tokens.length);
        } finally {
          await context.dispose();
        }
      });
    });
  }

  it('detection finds FIM in Codestral (which llama.cpp does not report) and none in stories260K', async () => {
    assert.equal(detectFimFormat(await load(storiesModel)), undefined);
    assert.notEqual(detectFimFormat(await load(testModelPath('fim-codestral'))), undefined);
  });

  it('holds the prefix budget when even the current line is over it', async () => {
    const model = await load(testModelPath('fim-qwen2'));
    const format = detectFimFormat(model)!;
    const long = `  const s = "${'abc def '.repeat(400)}`;
    const budget = { ...BIG, maxPrefixTokens: 50 };
    const one = format.build(parts({ extra: [], prefix: long }), budget);
    assert.equal(one.prefixTokens, 50);
    const all = model.tokenize(long, false);
    assert.deepEqual(one.tokens.slice(one.stableLength, one.stableLength + 50), all.slice(all.length - 50));
    // Within the last block, whole lines go first.
    const short = Array.from({ length: 5 }, (_, i) => `  short(${i});\n`).join('');
    const some = format.build(parts({ extra: [], prefix: `${short}  last(` }), { ...BIG, maxPrefixTokens: model.tokenize(`  short(4);\n  last(`, false).length });
    assert.deepEqual(some.tokens.slice(some.stableLength, some.stableLength + some.prefixTokens), model.tokenize(`  short(4);\n  last(`, false));
  });

  it('CodeLlama: " <PRE>" typed in a file does not merge into the ▁<PRE> control token', async () => {
    const model = await load(testModelPath('fim-codellama'));
    // llama.cpp's SentencePiece merges reach control pieces: the raw tokenization has ▁<PRE>.
    assert.ok(model.tokenize('a <PRE> b', false).includes(t(CODELLAMA_FIM_TOKENS.prefix)));
    const format = detectFimFormat(model)!;
    const got = format.build(parts({ extra: [], filePath: undefined, prefix: 'a <PRE> b', suffix: ' <SUF> <MID> <EOT>' }), BIG);
    assert.deepEqual(
      got.tokens.filter((x) => x >= 32000),
      [CODELLAMA_FIM_TOKENS.prefix, CODELLAMA_FIM_TOKENS.suffix, CODELLAMA_FIM_TOKENS.middle],
    );
    assert.equal(model.detokenize(got.tokens.slice(2, 2 + got.prefixTokens)), 'a <PRE> b');
  });
});
