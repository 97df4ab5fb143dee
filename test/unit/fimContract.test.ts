/**
 * The contract between the two renderings of one FIM layout: the worker's tokens
 * (runtime/worker/fimFormat.ts) and the team server's text (fim/fimText.ts) must say the same
 * thing for every family with a server template, and stop on the same tokens.
 *
 * The worker runs here on a character vocabulary: one token per character, the family's real
 * control-token spellings, and for SentencePiece families a distinct dummy-space token. Its
 * tokens are then read back the way a server reads text: a SentencePiece server adds the dummy
 * space itself at the start and after each special token, so none is written there; a control
 * token spelled with "▁" (CodeLlama's `▁<PRE>`) is plain text to a server, written ` <PRE>`.
 * test/engine/fimFormat.test.ts checks the same token layouts against the real tokenizers.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { fimFamilyOfTemplate, fimTemplates, type FimTemplate } from '../../src/fim/fimFamilies';
import type { FimPromptParts } from '../../src/fim/fimLayout';
import { cutAtDedent } from '../../src/fim/indentStop';
import { fimPromptText, fimStops } from '../../src/fim/fimText';
import { fimFormatOf, type FimTokenizer } from '../../src/runtime/worker/fimFormat';
import { checkStop } from '../../src/runtime/worker/generationStops';

/** Each family's special-token spellings as its real vocabulary has them, and whether it is SentencePiece. */
const VOCABULARIES: Record<FimTemplate, { sentencePiece: boolean; specials: string[] }> = {
  qwen: {
    sentencePiece: false,
    specials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>'],
  },
  deepseek: { sentencePiece: false, specials: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜fim▁hole｜>', '<｜fim▁begin｜>', '<｜fim▁end｜>'] },
  starcoder2: { sentencePiece: false, specials: ['<|endoftext|>', '<fim_prefix>', '<fim_middle>', '<fim_suffix>', '<fim_pad>', '<repo_name>', '<file_sep>'] },
  codellama: { sentencePiece: true, specials: ['<s>', '</s>', '▁<PRE>', '▁<SUF>', '▁<MID>', '▁<EOT>'] },
  codestral: { sentencePiece: true, specials: ['<s>', '</s>', '[PREFIX]', '[MIDDLE]', '[SUFFIX]'] },
};

const BOS = 0x300000 as Token;
const DUMMY = 0x300001 as Token;
const SPECIAL = 0x310000;
const BIG = { maxPrefixTokens: 1e6, maxSuffixTokens: 1e6, maxExtraTokens: 1e6 };
const chars = (text: string): Token[] => [...text].map((c) => c.codePointAt(0) as Token);

class CharVocabulary implements FimTokenizer {
  readonly bos = BOS;
  readonly infill = {};
  constructor(
    private readonly sentencePiece: boolean,
    private readonly specials: readonly string[],
  ) {}

  control(...texts: string[]): Token | undefined {
    for (const text of texts) {
      const i = this.specials.indexOf(text);
      if (i >= 0) return (SPECIAL + i) as Token;
    }
    return undefined;
  }

  token(text: string): Token | undefined {
    return this.control(text);
  }

  lead(text: string): Token[] {
    return text === '' ? [] : [...(this.sentencePiece ? [DUMMY] : []), ...chars(text)];
  }

  bare(text: string): Token[] {
    return chars(text);
  }

  special(id: Token): string | undefined {
    return id >= SPECIAL ? this.specials[id - SPECIAL] : undefined;
  }

  /** The text a server must be sent to tokenize it into `tokens` (see the header). */
  asServerText(tokens: readonly Token[]): string {
    let out = '';
    let fragmentStart = true;
    for (const t of tokens) {
      const special = this.special(t);
      if (t === BOS) continue;
      if (special !== undefined && !special.startsWith('▁')) {
        out += special;
        fragmentStart = true;
        continue;
      }
      if (special !== undefined) out += (fragmentStart ? '' : ' ') + special.slice(1);
      else if (t === DUMMY) out += fragmentStart ? '' : ' ';
      else out += String.fromCodePoint(t);
      fragmentStart = false;
    }
    return out;
  }
}

const full: FimPromptParts = {
  repoName: 'sovereign',
  extra: [
    { path: 'src/util.ts', text: 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
    { path: 'tools/gen.py', text: 'def helper(x):\r\n    return x * 2\r\n' },
  ],
  filePath: 'src/main.ts',
  prefix: "import { add } from './util';\n\nexport function main(): void {\n  const total = add(",
  suffix: ');\n  console.log(total);\n}\n',
};

const VARIANTS: Record<string, FimPromptParts> = {
  'repo, extra chunks and path': full,
  'extra chunks, no repo name': { ...full, repoName: undefined },
  'path only': { ...full, repoName: undefined, extra: [] },
  'repo name only': { ...full, extra: [], filePath: undefined },
  'plain (no repo, extra or path)': { ...full, repoName: undefined, extra: [], filePath: undefined },
  'empty prefix and suffix': { extra: [], prefix: '', suffix: '' },
  'empty prefix after a path': { ...full, extra: [], prefix: '' },
};

describe('FIM contract: worker tokens and server text from one layout', () => {
  for (const template of fimTemplates) {
    describe(template, () => {
      const v = new CharVocabulary(VOCABULARIES[template].sentencePiece, VOCABULARIES[template].specials);
      const format = fimFormatOf(v);

      it(`is detected as the family the template names (${fimFamilyOfTemplate(template).family})`, () => {
        assert.equal(format?.family, fimFamilyOfTemplate(template).family);
      });

      for (const [name, parts] of Object.entries(VARIANTS)) {
        it(`renders the same prompt both ways: ${name}`, () => {
          const tokens = format!.build(parts, BIG).tokens;
          assert.equal(v.asServerText(tokens), fimPromptText(template, parts));
        });
      }

      it('stops on the same tokens both ways, every control token of its prompt among them', () => {
        const asText = (id: Token) => v.special(id)!.replace(/^▁/, '');
        assert.deepEqual([...format!.stopTokens].map(asText).sort(), [...fimStops(template)].sort());
        const controls = format!.build(full, BIG).tokens.filter((t) => t !== BOS && v.special(t) !== undefined);
        for (const t of controls) assert.ok(format!.stopTokens.has(t), `${asText(t)} stops a completion`);
      });
    });
  }

  it('offers exactly the table\'s templates in the server setting', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['sovereign.server.fimTemplate'];
    assert.deepEqual(setting.enum, [...fimTemplates]);
    assert.ok(fimTemplates.includes(setting.default));
  });

  it('cuts at the same indentation stop in the worker and on the server', () => {
    const texts = ['x = 1\n    y = 2\n\n    z\nw = 3\n', 'a\n\tb\n\tc\n}', 'one line', 'a\n    b\n  ', 'a\n  \n    b\nc'];
    for (const text of texts) {
      for (const indent of [0, 1, 4]) {
        const worker = checkStop(text, { singleLine: false, indent, timeBudgetMs: 0 }, 0)?.text ?? text;
        assert.equal(cutAtDedent(text, indent), worker, JSON.stringify({ text, indent }));
      }
    }
  });
});
