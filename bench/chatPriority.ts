/**
 * Does completion keep priority over chat? Completion latency in one worker, measured alone, then
 * while that same worker streams a chat answer (chat waits between tokens while a completion
 * runs), then, for comparison, while a second worker process streams the answer (no shared gate:
 * the two only compete for the CPU). Prints the ratios. A benchmark, not a test.
 *
 * With --edit the streamed answers are in-place edits instead (the edit prompt of
 * src/edit/editPrompt.ts on one of this repository's files): an edit is a chat request, so it
 * takes the same gate.
 *
 *   npm run build && npx tsx bench/chatPriority.ts [--chat fim-qwen2|stories] [--rounds 15] [--edit]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildEditPrompt } from '../src/edit/editPrompt';
import type { RuntimeClient } from '../src/runtime/client';
import type { ChatMessage } from '../src/runtime/protocol';
import { testModelPath } from '../scripts/models/testModels';
import { workerRuntime } from './workerRuntime';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const chatName = arg('chat', 'fim-qwen2');
const rounds = Number(arg('rounds', '15'));
const edit = process.argv.includes('--edit');
const completionModel = testModelPath('fim-qwen2');
const chatModel = chatName === 'stories' ? resolve(__dirname, '..', '..', 'shared', 'models', 'stories260K.gguf') : testModelPath('fim-qwen2');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  median: number;
  p90: number;
}

function summarize(ms: number[]): Figures {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] };
}

/** Keystroke-like completions: each a new line of a growing file, so the prompt changes a little. */
async function completionLatencies(runtime: RuntimeClient, tag: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const prefix = `# ${tag}\ndef f${i}(values):\n    total = 0\n    for v in values:\n        total += v * ${i}\n    return `;
    const r = await runtime.complete({ prefix, suffix: '\n', maxTokens: 16, maxPrefixTokens: 1024, maxSuffixTokens: 256 });
    out.push(performance.now() - started);
    if (process.env.BENCH_VERBOSE) console.log(`  ${tag} wall ${(performance.now() - started).toFixed(0)} worker ${r.stats.totalMs} (prompt ${r.stats.promptMs}, gen ${r.stats.generateMs}, eval ${r.stats.evaluatedTokens}, out ${r.stats.generatedTokens})`);
    await sleep(60); // the gap a debounce leaves between keystrokes
  }
  return out;
}

/** An edit of one function of src/edit/editHunks.ts, with the rest of that file as context. */
async function editMessages(runtime: RuntimeClient): Promise<ChatMessage[]> {
  const text = readFileSync(resolve(__dirname, '..', 'src', 'edit', 'editHunks.ts'), 'utf8');
  const start = text.indexOf('export function applyHunks');
  const end = text.indexOf('\n}\n', start) + 2;
  const prompt = await buildEditPrompt({
    instruction: 'add a comment above each statement',
    fileName: 'src/edit/editHunks.ts',
    language: 'typescript',
    target: text.slice(start, end),
    before: text.slice(0, start),
    after: text.slice(end + 1),
    windowTokens: 2048,
    maxAnswerTokens: 1500,
    count: (texts) => runtime.countTokens('chat', texts),
    measure: (messages) => runtime.chatPromptTokens(messages),
  });
  if (!prompt.ok) throw new Error(prompt.error);
  return prompt.messages;
}

/** Streams chat answers (or edits) back to back until stopped; counts tokens per second. */
function streamChat(runtime: RuntimeClient, messages: ChatMessage[]): { stop(): Promise<{ tokens: number; seconds: number }> } {
  const controller = new AbortController();
  let tokens = 0;
  const started = performance.now();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      const result = await runtime
        .chat(messages, { maxTokens: 1500, signal: controller.signal, onText() {} })
        .catch(() => undefined);
      tokens += result?.stats.generatedTokens ?? 0;
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
      return { tokens, seconds: (performance.now() - started) / 1000 };
    },
  };
}

async function main(): Promise<void> {
  for (const file of [completionModel, chatModel]) if (!existsSync(file)) throw new Error(`${file} is missing: run npx tsx scripts/models/make.ts`);
  const runtime = workerRuntime({ completion: completionModel, chat: chatModel }, { contextSize: 2048, threads: 2 });
  const other = workerRuntime({ chat: chatModel }, { contextSize: 2048, threads: 2 });
  try {
    await runtime.load('completion');
    await runtime.load('chat');
    await other.load('chat');
    // The adaptive thread tuner probes other thread counts for its first few dozen requests
    // (a probe can take 4x longer); warming up past that keeps its probes out of "alone".
    for (let i = 0; i < 4; i++) await completionLatencies(runtime, 'warm-up');
    const messages: ChatMessage[] = edit ? await editMessages(runtime) : [{ role: 'user', content: 'Tell me a long story about a robot who learns to paint.' }];

    const alone = await completionLatencies(runtime, 'alone');

    const chatAlone = streamChat(runtime, messages);
    await sleep(3000);
    const chatOnly = await chatAlone.stop();

    const sameWorker = streamChat(runtime, messages);
    await sleep(500); // the answer is streaming
    const withChat = await completionLatencies(runtime, 'same-worker');
    const chatDuring = await sameWorker.stop();

    const otherWorker = streamChat(other, messages);
    await sleep(500);
    const withOtherWorker = await completionLatencies(runtime, 'other-worker');
    await otherWorker.stop();

    const a = summarize(alone);
    const b = summarize(withChat);
    const c = summarize(withOtherWorker);
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    console.log(`completion: fim-qwen2, ${edit ? 'edit' : 'chat'}: ${chatName}, ${rounds} completions each, 2 threads per context`);
    console.log(`  completion alone                            median ${ms(a.median)}  p90 ${ms(a.p90)}`);
    console.log(`  while the same worker streams chat (gate)   median ${ms(b.median)}  p90 ${ms(b.p90)}   ratio ${(b.median / a.median).toFixed(2)}`);
    console.log(`  while another worker streams chat (no gate) median ${ms(c.median)}  p90 ${ms(c.p90)}   ratio ${(c.median / a.median).toFixed(2)}`);
    console.log(`  chat alone ${(chatOnly.tokens / chatOnly.seconds).toFixed(1)} tokens/s; while completions ran ${(chatDuring.tokens / chatDuring.seconds).toFixed(1)} tokens/s (it yields, then resumes)`);
  } finally {
    await Promise.all([runtime.shutdown(), other.shutdown()]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
