/**
 * The generated test models: deterministic files, real tokenizers, FIM tokens found by llama.cpp.
 *
 *   npx mocha --import=tsx test/engine/testModels.test.ts
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Llama, LlamaModel } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { GGMLType, GGUFValueType, gguf, parseGGUF, readGGUFHeader, writeGGUF, type GGUFMetadata } from '../../scripts/models/gguf';
import {
  CODELLAMA_FIM_TOKENS,
  CODESTRAL_FIM_TOKENS,
  DEEPSEEK_CODER_FIM_TOKENS,
  GENERIC_FIM_TOKENS,
  QWEN25_CODER_SPECIAL_TOKENS,
  STARCODER2_SPECIAL_TOKENS,
  TEST_MODELS,
  ensureTestModels,
  sha256File,
  testModelPath,
  type TestModelName,
} from '../../scripts/models/testModels';

const QWEN_SPECIAL_TEXT: Record<keyof typeof QWEN25_CODER_SPECIAL_TOKENS, string> = {
  endoftext: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  fimPrefix: '<|fim_prefix|>',
  fimMiddle: '<|fim_middle|>',
  fimSuffix: '<|fim_suffix|>',
  fimPad: '<|fim_pad|>',
  repoName: '<|repo_name|>',
  fileSep: '<|file_sep|>',
};

describe('gguf reader/writer', () => {
  it('round-trips every metadata value type and tensor layout', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sovereign-gguf-'));
    try {
      const meta: GGUFMetadata = new Map([
        ['u8', gguf.u8(200)],
        ['i8', gguf.i8(-100)],
        ['u16', gguf.u16(60000)],
        ['i16', gguf.i16(-30000)],
        ['u32', gguf.u32(4000000000)],
        ['i32', gguf.i32(-2000000000)],
        ['f32', gguf.f32(0.5)],
        ['f64', gguf.f64(Math.PI)],
        ['u64', gguf.u64(2n ** 63n)],
        ['i64', gguf.i64(-(2n ** 62n))],
        ['bool', gguf.bool(true)],
        ['str', gguf.str('héllo ｜▁')],
        ['arr.str', gguf.arr(GGUFValueType.STRING, ['a', '', 'ü'])],
        ['arr.i32', gguf.arr(GGUFValueType.INT32, [1, -2, 3])],
        ['arr.nested', gguf.arr(GGUFValueType.ARRAY, [gguf.arr(GGUFValueType.UINT8, [1, 2])])],
      ]);
      const file = path.join(dir, 't.gguf');
      const res = writeGGUF(file, meta, [
        { name: 'a', dims: [3], type: GGMLType.F32, data: () => [new Uint8Array(12).fill(1)] },
        { name: 'b', dims: [32, 2], type: GGMLType.Q8_0, data: () => [new Uint8Array(68).fill(2)] },
      ]);
      const buf = fs.readFileSync(file);
      assert.equal(res.size, buf.length);
      const parsed = parseGGUF(buf);
      assert.deepEqual(parsed.metadata, meta);
      assert.deepEqual(
        parsed.tensors.map((t) => [t.name, t.dims, t.type, t.offset]),
        [
          ['a', [3], GGMLType.F32, 0],
          ['b', [32, 2], GGMLType.Q8_0, 32],
        ],
      );
      assert.equal(parsed.dataOffset % 32, 0);
      assert.equal(buf[parsed.dataOffset + 32], 2);
      assert.deepEqual(readGGUFHeader(file).tensors, parsed.tensors);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('test models', function () {
  this.timeout(120_000);

  let llama: Llama | undefined;
  const models = new Map<TestModelName, LlamaModel>();
  const load = async (name: TestModelName): Promise<LlamaModel> => {
    let m = models.get(name);
    if (!m) {
      if (!llama) throw new Error('llama not initialised');
      m = await llama.loadModel({ modelPath: testModelPath(name) });
      models.set(name, m);
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

  for (const m of TEST_MODELS.filter((x) => !x.bench)) {
    it(`${m.file} matches its recorded sha256`, async () => {
      assert.match(m.sha256, /^[0-9a-f]{64}$/);
      assert.equal(await sha256File(testModelPath(m.name as TestModelName)), m.sha256);
    });
  }

  it('fim-deepseek: llama arch, untied output, deepseek-coder FIM tokens', async () => {
    const header = readGGUFHeader(testModelPath('fim-deepseek'));
    assert.equal(header.metadata.get('general.architecture')?.value, 'llama');
    assert.equal(header.metadata.get('tokenizer.ggml.pre')?.value, 'deepseek-coder');
    assert.ok(header.tensors.some((t) => t.name === 'output.weight'));

    const model = await load('fim-deepseek');
    assert.equal(model.tokens.infill.prefix, DEEPSEEK_CODER_FIM_TOKENS.prefix);
    assert.equal(model.tokens.infill.suffix, DEEPSEEK_CODER_FIM_TOKENS.suffix);
    assert.equal(model.tokens.infill.middle, DEEPSEEK_CODER_FIM_TOKENS.middle);
    assert.equal(model.tokens.infill.prefixString, '<｜fim▁begin｜>');

    const text = '<｜fim▁begin｜>';
    assert.ok(!model.tokenize(text, false).some((t) => t === DEEPSEEK_CODER_FIM_TOKENS.prefix));
    assert.deepEqual(model.tokenize(text, true), [DEEPSEEK_CODER_FIM_TOKENS.prefix]);
  });

  it('fim-qwen2: Qwen2.5-Coder special tokens at their real ids', async () => {
    const model = await load('fim-qwen2');
    assert.equal(model.fileInfo.metadata.general.architecture, 'qwen2');
    const tokens = model.fileInfo.metadata.tokenizer.ggml.tokens;
    assert.equal(tokens.length, 151936);
    for (const [key, id] of Object.entries(QWEN25_CODER_SPECIAL_TOKENS)) {
      const text = QWEN_SPECIAL_TEXT[key as keyof typeof QWEN25_CODER_SPECIAL_TOKENS];
      assert.equal(tokens[id], text, `token ${id}`);
      assert.deepEqual(model.tokenize(text, true), [id], `tokenize(${text}, true)`);
      assert.ok(!model.tokenize(text, false).some((t) => t === id), `tokenize(${text}, false)`);
    }
    assert.equal(model.tokens.infill.prefix, QWEN25_CODER_SPECIAL_TOKENS.fimPrefix);
    assert.equal(model.tokens.infill.suffix, QWEN25_CODER_SPECIAL_TOKENS.fimSuffix);
    assert.equal(model.tokens.infill.middle, QWEN25_CODER_SPECIAL_TOKENS.fimMiddle);
    assert.equal(model.tokens.eos, QWEN25_CODER_SPECIAL_TOKENS.imEnd);
  });

  it('fim-qwen2: <|fim_prefix|> typed as user text is not the control token', async () => {
    const model = await load('fim-qwen2');
    const userText = 'const s = "<|fim_prefix|>";';
    assert.ok(!model.tokenize(userText, false).some((t) => t === QWEN25_CODER_SPECIAL_TOKENS.fimPrefix));
    assert.ok(model.tokenize(userText, true).some((t) => t === QWEN25_CODER_SPECIAL_TOKENS.fimPrefix));
    assert.equal(model.detokenize(model.tokenize(userText, false)), userText);
  });

  it('fim-qwen2: has the Qwen2.5 chat template', async () => {
    const model = await load('fim-qwen2');
    const template = model.fileInfo.metadata.tokenizer.chat_template;
    assert.ok(template?.includes('<|im_start|>'));
    const { resolveChatWrapper, QwenChatWrapper, ChatMLChatWrapper } = await import('node-llama-cpp');
    const wrapper = resolveChatWrapper(model);
    assert.ok(
      wrapper instanceof QwenChatWrapper || wrapper instanceof ChatMLChatWrapper,
      `resolved ${wrapper.wrapperName}`,
    );
  });

  it('fim-qwen2-f16: fim-qwen2\'s tokenizer and chat template, every matrix F16', () => {
    const q8 = readGGUFHeader(testModelPath('fim-qwen2'));
    const f16 = readGGUFHeader(testModelPath('fim-qwen2-f16'));
    const tokenizer = (h: typeof q8) => [...h.metadata].filter(([k]) => k.startsWith('tokenizer.'));
    assert.deepEqual(tokenizer(f16), tokenizer(q8));
    assert.equal(f16.metadata.get('general.architecture')?.value, 'qwen2');
    assert.equal(f16.metadata.get('general.file_type')?.value, 1, 'llama_ftype MOSTLY_F16');
    assert.deepEqual(f16.tensors.map((t) => [t.name, t.dims]), q8.tensors.map((t) => [t.name, t.dims]), 'same shapes');
    const matrices = f16.tensors.filter((t) => t.dims.length === 2);
    assert.ok(matrices.some((t) => t.name === 'output.weight'), 'untied output');
    assert.deepEqual([...new Set(matrices.map((t) => t.type))], [GGMLType.F16]);
  });

  /** Each text is one control token: parsed as special it is that id, as plain text it is not. */
  const assertControlTokens = (model: LlamaModel, expected: Record<string, number>) => {
    const tokens = model.fileInfo.metadata.tokenizer.ggml.tokens;
    for (const [text, id] of Object.entries(expected)) {
      assert.equal(tokens[id], text, `token ${id}`);
      assert.ok(model.getTokenAttributes(id as never).control, `${text} is control`);
      assert.deepEqual(model.tokenize(text, true), [id], `tokenize(${text}, true)`);
      assert.ok(!model.tokenize(text, false).includes(id as never), `tokenize(${text}, false)`);
    }
  };

  it('fim-starcoder2: StarCoder2 vocabulary with its repository tokens', async () => {
    const header = readGGUFHeader(testModelPath('fim-starcoder2'));
    assert.equal(header.metadata.get('general.architecture')?.value, 'llama');
    assert.equal(header.metadata.get('tokenizer.ggml.pre')?.value, 'starcoder');
    const model = await load('fim-starcoder2');
    assert.equal(model.fileInfo.metadata.tokenizer.ggml.tokens.length, 49152);
    const s = STARCODER2_SPECIAL_TOKENS;
    assertControlTokens(model, {
      '<|endoftext|>': s.endoftext, '<fim_prefix>': s.fimPrefix, '<fim_middle>': s.fimMiddle, '<fim_suffix>': s.fimSuffix,
      '<fim_pad>': s.fimPad, '<repo_name>': s.repoName, '<file_sep>': s.fileSep,
    });
    assert.deepEqual([model.tokens.infill.prefix, model.tokens.infill.suffix, model.tokens.infill.middle], [s.fimPrefix, s.fimSuffix, s.fimMiddle]);
    assert.equal(model.tokens.shouldPrependBosToken, false);
    // llama.cpp does not end generation at <file_sep>: the FIM format's stop tokens must.
    assert.equal(model.isEogToken(s.fileSep as never), false);
  });

  it('fim-codellama: CodeLlama FIM tokens at their real ids', async () => {
    const model = await load('fim-codellama');
    assert.equal(model.fileInfo.metadata.tokenizer.ggml.model, 'llama');
    assert.equal(model.fileInfo.metadata.tokenizer.ggml.tokens.length, 32016);
    const c = CODELLAMA_FIM_TOKENS;
    assertControlTokens(model, { '▁<PRE>': c.prefix, '▁<SUF>': c.suffix, '▁<MID>': c.middle, '▁<EOT>': c.eot });
    assert.deepEqual([model.tokens.infill.prefix, model.tokens.infill.suffix, model.tokens.infill.middle], [c.prefix, c.suffix, c.middle]);
    assert.equal(model.tokens.shouldPrependBosToken, true);
    // llama.cpp knows "<EOT>" and "_<EOT>" as end of generation, not CodeLlama's "▁<EOT>".
    assert.equal(model.isEogToken(c.eot as never), false);
    // SentencePiece merges reach control pieces: " <PRE>" as plain text becomes ▁<PRE> (fimVocabulary.ts guards this).
    assert.ok(model.tokenize('x <PRE> y', false).includes(c.prefix as never));
  });

  it('fim-codestral: [PREFIX] and [SUFFIX] control tokens, unknown to llama.cpp', async () => {
    const model = await load('fim-codestral');
    const c = CODESTRAL_FIM_TOKENS;
    assertControlTokens(model, { '[PREFIX]': c.prefix, '[MIDDLE]': c.middle, '[SUFFIX]': c.suffix });
    assert.deepEqual([model.tokens.infill.prefix, model.tokens.infill.suffix, model.tokens.infill.middle], [null, null, null]);
    const { LlamaCompletion } = await import('node-llama-cpp');
    const ctx = await model.createContext({ contextSize: 256, threads: 2 });
    try {
      assert.equal(new LlamaCompletion({ contextSequence: ctx.getSequence() }).infillSupported, false);
    } finally {
      await ctx.dispose();
    }
  });

  it('fim-generic: FIM tokens llama.cpp finds, no repository tokens', async () => {
    const model = await load('fim-generic');
    const g = GENERIC_FIM_TOKENS;
    assertControlTokens(model, { '<|fim_prefix|>': g.prefix, '<|fim_middle|>': g.middle, '<|fim_suffix|>': g.suffix, '<|file_separator|>': g.fileSeparator });
    assert.deepEqual([model.tokens.infill.prefix, model.tokens.infill.suffix, model.tokens.infill.middle], [g.prefix, g.suffix, g.middle]);
  });

  for (const name of ['fim-deepseek', 'fim-qwen2', 'fim-qwen2-f16', 'fim-starcoder2', 'fim-codellama', 'fim-generic'] as const) {
    it(`${name}: greedy FIM completion produces text`, async () => {
      const { LlamaCompletion } = await import('node-llama-cpp');
      const model = await load(name);
      const ctx = await model.createContext({ contextSize: 256, threads: 2 });
      try {
        const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
        assert.ok(completion.infillSupported);
        const out = await completion.generateInfillCompletion('function add(a, b) {\n    return ', ';\n}\n', {
          maxTokens: 6,
          temperature: 0,
        });
        assert.ok(out.trim().length > 0, `empty completion ${JSON.stringify(out)}`);
      } finally {
        await ctx.dispose();
      }
    });
  }
});
