/**
 * The likelihood bench's measurements on a real model (bench/quality/): teacher forcing gives the
 * model's own probabilities at the right positions, and the peer's prompt has llama-server's
 * layout and bounds.
 *
 *   TEST_LAYER=engine bash test/harness/offline.sh --loopback npx mocha --timeout 300000 test/engine/likelihood.test.ts
 */
import assert from 'node:assert/strict';
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { ensureTestModels, testModelPath, QWEN25_CODER_SPECIAL_TOKENS as QWEN } from '../../scripts/models/testModels';
import { processLlama } from '../../src/runtime/worker/processLlama';
import { peerPrompt, peerRequest } from '../../bench/quality/likelihoodPeerPrompt';
import { truthLogProbs } from '../../bench/quality/truthLogProbs';

describe('likelihood bench (teacher forcing, peer prompt)', function () {
  let model: LlamaModel;
  let context: LlamaContext;
  let sequence: LlamaContextSequence;
  let prompt: Token[];

  before(async function () {
    await ensureTestModels();
    const llama = await processLlama('off', () => undefined);
    model = await llama.loadModel({ modelPath: testModelPath('fim-qwen2') });
    context = await model.createContext({ contextSize: 512, threads: 2, sequences: 1 });
    sequence = context.getSequence();
    prompt = model.tokenize('export function add(a: number, b: number): number {\n  return');
  });

  after(async function () {
    await context?.dispose();
    await model?.dispose();
  });

  async function clear(): Promise<void> {
    await sequence.eraseContextTokenRanges([{ start: 0, end: sequence.nextTokenIndex }]);
  }

  it("forcing the model's greedy continuation finds each forced token to be its first choice", async function () {
    await clear();
    const greedy: Token[] = [];
    for await (const token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
      greedy.push(token);
      if (greedy.length === 6) break;
    }
    await clear();
    const steps = await truthLogProbs(sequence, prompt, greedy);
    assert.deepEqual(steps.map((s) => s.token), greedy);
    assert.deepEqual(steps.map((s) => s.top), greedy.map(() => true), 'every greedy token is the most probable one where it is forced');
    // A random-weight model is unsure: the greedy token is likely, not certain.
    for (const s of steps) assert.ok(s.logProb < 0 && s.logProb > -20, `log p ${s.logProb}`);
  });

  it('each forced log-probability equals a fresh evaluation of the prompt and the truth before it', async function () {
    const truth = model.tokenize(' a + b;\n}\n');
    assert.ok(truth.length >= 4);
    // From a sequence that holds another text: the KV state is aligned first.
    await clear();
    await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize('something else entirely'));
    const forced = await truthLogProbs(sequence, prompt, truth);
    assert.equal(forced.length, truth.length);
    for (let i = 0; i < truth.length; i++) {
      await clear();
      const iterator = sequence.evaluateWithMetadata([...prompt, ...truth.slice(0, i)], { probabilities: true }, { temperature: 0, yieldEogToken: true });
      const first = await iterator.next();
      await iterator.return();
      assert.ok(!first.done);
      const probabilities = first.value.probabilities;
      const expected = Math.log(probabilities.get(truth[i])!);
      assert.ok(Math.abs(forced[i].logProb - expected) < 2e-3, `token ${i}: forced ${forced[i].logProb}, fresh ${expected}`);
      assert.equal(forced[i].top, probabilities.keys().next().value === truth[i]);
      let total = 0;
      for (const p of probabilities.values()) total += p;
      assert.ok(Math.abs(total - 1) < 1e-3, `the distribution covers the vocabulary (sums to ${total})`);
    }
  });

  it("builds llama-server's /infill tokens for llama.vscode's request, within n_batch's bounds", function () {
    const lines = Array.from({ length: 40 }, (_, i) => `const value${i} = compute(${i});`);
    const prefix = lines.slice(0, 30).join('\n') + '\n  const total = ';
    const suffix = ';\n' + lines.slice(30).join('\n');
    const bounds = { nPrefixLines: 8, nSuffixLines: 4, nBatch: 64 };
    const request = peerRequest(prefix, suffix, bounds);
    assert.equal(request.inputPrefix, lines.slice(22, 30).join('\n') + '\n');
    assert.equal(request.inputSuffix, ';\n' + lines.slice(30, 34).join('\n') + '\n');
    assert.equal(request.prompt, '  const total = ');

    const p = peerPrompt(model, request, bounds);
    const header = [QWEN.repoName, ...model.tokenize('myproject\n'), QWEN.fileSep, ...model.tokenize('filename\n')];
    const promptTokens = model.tokenize(request.prompt, true);
    const prefixTokens = model.tokenize(request.inputPrefix);
    const suffixTokens = model.tokenize(request.inputSuffix);
    assert.ok(prefixTokens.length > 48 && suffixTokens.length > 16 - 2 - promptTokens.length, 'both sides are long enough to be cut');
    const expected = [
      ...header,
      QWEN.fimPrefix,
      ...prefixTokens.slice(prefixTokens.length - 48),
      ...promptTokens,
      QWEN.fimSuffix,
      ...suffixTokens.slice(0, 16 - 2 - promptTokens.length),
      QWEN.fimMiddle,
    ];
    assert.deepEqual(p.tokens, expected);
  });
});
