import type { ChatParams, ChatResult } from '../protocol';
import { loadNodeLlamaCpp, type LlamaContextSequence, type NodeLlamaCpp, type Token } from './nodeLlamaCpp';
import type { PriorityGate } from './priorityGate';

/** Prompt tokens evaluated per step: a completion that arrives mid-prompt waits one step at most. */
const promptStep = 64;

/**
 * Answers chat requests on one sequence with the chat wrapper chosen from the model's own
 * template. Stateless per request: the extension owns the conversation and sends it whole, so a
 * restarted worker loses nothing.
 *
 * Completion has priority: LlamaChat's token callbacks are synchronous and cannot pause it, but
 * every token it generates comes from `sequence.evaluate()`. This class owns the chat sequence and
 * wraps that method: before each step (a slice of the prompt, or one generated token) it waits
 * while a completion holds the gate. The other context keeps the CPU to itself meanwhile.
 */
export class ChatResponder {
  private running: Promise<unknown> = Promise.resolve();
  /** The request being answered: a stop must not wait behind the gate. */
  private signal: AbortSignal | undefined;

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly chatWrapper: NodeLlamaCpp.ChatWrapper,
    private readonly gate: PriorityGate,
  ) {
    const evaluate = sequence.evaluate.bind(sequence);
    sequence.evaluate = (tokens, options) => this.gatedEvaluate(evaluate, tokens, options);
  }

  respond(params: ChatParams, signal: AbortSignal, onText: (text: string) => void): Promise<ChatResult> {
    const run = this.running.then(() => this.run(params, signal, onText));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** The prompt's size as `respond` would evaluate it: the template, and the answer's opening. */
  promptTokens(messages: ChatParams['messages']): number {
    const { contextText } = this.chatWrapper.generateContextState({ chatHistory: [...toHistory(messages), { type: 'model', response: [] }] });
    return contextText.tokenize(this.sequence.model.tokenizer).length;
  }

  private async run(params: ChatParams, signal: AbortSignal, onText: (text: string) => void): Promise<ChatResult> {
    const { LlamaChat } = await loadNodeLlamaCpp();
    const start = performance.now();
    let firstTokenAt = 0;
    let generatedTokens = 0;
    // A conversation ending with an answer continues that answer: LlamaChat extends a last model response.
    const continues = params.messages.at(-1)?.role === 'assistant';
    const history = continues ? toHistory(params.messages) : [...toHistory(params.messages), { type: 'model', response: [] } satisfies NodeLlamaCpp.ChatHistoryItem];

    const chat = new LlamaChat({ contextSequence: this.sequence, chatWrapper: this.chatWrapper, autoDisposeSequence: false });
    this.signal = signal;
    try {
      const meterBefore = this.sequence.tokenMeter.getState();
      const result = await chat.generateResponse(history, {
        maxTokens: params.maxTokens,
        signal,
        stopOnAbortSignal: true,
        onTextChunk: (text) => {
          if (!firstTokenAt) firstTokenAt = performance.now();
          onText(text);
        },
        onToken: (tokens) => {
          generatedTokens += tokens.length;
        },
      });
      const meter = this.sequence.tokenMeter.diff(meterBefore);
      const end = performance.now();
      return {
        text: result.response,
        stopped: signal.aborted,
        cut: !signal.aborted && result.metadata.stopReason === 'maxTokens',
        stats: {
          promptTokens: meter.usedInputTokens,
          generatedTokens,
          firstTokenMs: Math.round((firstTokenAt || end) - start),
          totalMs: Math.round(end - start),
        },
      };
    } finally {
      this.signal = undefined;
      chat.dispose({ disposeSequence: false });
    }
  }

  private async *gatedEvaluate(
    evaluate: LlamaContextSequence['evaluate'],
    tokens: Token[],
    options: Parameters<LlamaContextSequence['evaluate']>[1],
  ): AsyncGenerator<Token, void, void | Token | Token[]> {
    let rest = tokens;
    while (rest.length > promptStep + 1) {
      await this.yieldToCompletion();
      const slice = rest.slice(0, promptStep);
      await this.gate.step(() => this.sequence.evaluateWithoutGeneratingNewTokens(slice, { evaluationPriority: options?.evaluationPriority }));
      rest = rest.slice(promptStep);
    }
    const inner = evaluate(rest, options);
    let input: void | Token | Token[] = undefined;
    try {
      for (;;) {
        await this.yieldToCompletion();
        const next: void | Token | Token[] = input;
        const step: IteratorResult<Token, void> = await this.gate.step(() => inner.next(next));
        if (step.done) return;
        input = yield step.value;
      }
    } finally {
      await inner.return();
    }
  }

  private yieldToCompletion(): Promise<void> {
    // Between two requests there is no answer to pause.
    return this.signal ? this.gate.waitIfHeld(this.signal) : Promise.resolve();
  }
}

function toHistory(messages: ChatParams['messages']): NodeLlamaCpp.ChatHistoryItem[] {
  return messages.map((m) => (m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content }));
}
