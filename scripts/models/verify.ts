/**
 * Smoke-check the generated test models with the real node-llama-cpp (CPU, 2 threads).
 *
 *   npx tsx scripts/models/verify.ts [--bench]
 *
 * Loads each model, prints FIM tokens, special-token tokenization, a short greedy FIM
 * completion, the resolved chat wrapper, and (with --bench) the bench model's generation speed.
 */
import { ensureTestModels, testModelPath, type TestModelName } from './testModels';

async function main(): Promise<void> {
  const bench = process.argv.includes('--bench');
  await ensureTestModels({ bench });
  const { getLlama, LlamaCompletion, LlamaChatSession, resolveChatWrapper } = await import('node-llama-cpp');
  const llama = await getLlama({ build: 'never', gpu: false });

  const names: TestModelName[] = ['fim-deepseek', 'fim-qwen2'];
  for (const name of names) {
    const t0 = performance.now();
    const model = await llama.loadModel({ modelPath: testModelPath(name) });
    console.log(`\n== ${name} (loaded in ${(performance.now() - t0).toFixed(0)} ms)`);
    const inf = model.tokens.infill;
    console.log(`  FIM prefix=${inf.prefix} ${JSON.stringify(inf.prefixString)} suffix=${inf.suffix} ${JSON.stringify(inf.suffixString)} middle=${inf.middle} ${JSON.stringify(inf.middleString)}`);
    console.log(`  bos=${model.tokens.bos} eos=${model.tokens.eos} eot=${model.tokens.eot}`);
    const special = name === 'fim-qwen2' ? '<|fim_prefix|>' : '<｜fim▁begin｜>';
    console.log(`  tokenize(${special}, false) = ${JSON.stringify(model.tokenize(special, false))}`);
    console.log(`  tokenize(${special}, true)  = ${JSON.stringify(model.tokenize(special, true))}`);
    const wrapper = resolveChatWrapper(model);
    console.log(`  chat wrapper: ${wrapper.wrapperName} (${wrapper.constructor.name}); template in file: ${model.fileInfo.metadata.tokenizer.chat_template != null}`);

    const ctx = await model.createContext({ contextSize: 512, threads: 2, sequences: 2 });
    const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
    const fim = await completion.generateInfillCompletionWithMeta('function add(a, b) {\n    return ', ';\n}\n', { maxTokens: 8 });
    console.log(`  infillSupported=${completion.infillSupported} greedy FIM (${fim.metadata.stopReason}): ${JSON.stringify(fim.response)}`);
    const plain = await completion.generateCompletion('def fib(n):', { maxTokens: 8 });
    console.log(`  greedy completion: ${JSON.stringify(plain)}`);
    completion.dispose();
    if (name === 'fim-qwen2') {
      const session = new LlamaChatSession({ contextSequence: ctx.getSequence() });
      const reply = await session.prompt('Say hi', { maxTokens: 8 });
      console.log(`  chat reply: ${JSON.stringify(reply)}`);
      session.dispose();
    }
    await ctx.dispose();
    await model.dispose();
  }

  if (bench) {
    const t0 = performance.now();
    const model = await llama.loadModel({ modelPath: testModelPath('bench-qwen2.5-coder-0.5b-f16') });
    console.log(`\n== bench-qwen2.5-coder-0.5b-f16 (loaded in ${(performance.now() - t0).toFixed(0)} ms)`);
    const ctx = await model.createContext({ contextSize: 1024, threads: 2 });
    const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
    const prompt = 'function quickSort(arr) {\n';
    const nPrompt = model.tokenize(prompt).length;
    let first = 0;
    let count = 0;
    const start = performance.now();
    const res = await completion.generateCompletionWithMeta(prompt, {
      maxTokens: 64,
      onToken: () => {
        if (count++ === 0) first = performance.now();
      },
    });
    const end = performance.now();
    const tps = count > 1 ? ((count - 1) * 1000) / (end - first) : 0;
    console.log(`  prompt ${nPrompt} tokens, first token after ${(first - start).toFixed(0)} ms`);
    console.log(`  generated ${count} tokens (${res.metadata.stopReason}), ${tps.toFixed(1)} tok/s: ${JSON.stringify(res.response.slice(0, 200))}`);
    completion.dispose();
    await ctx.dispose();
    await model.dispose();
  }
  await llama.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
