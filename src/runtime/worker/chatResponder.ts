import type { ChatParams, ChatResult } from '../protocol';
import { loadNodeLlamaCpp, type LlamaContextSequence, type NodeLlamaCpp } from './nodeLlamaCpp';

/**
 * Answers chat requests on one sequence with the chat wrapper chosen from the model's own
 * template. Stateless per request: the extension owns the conversation and sends it whole, so a
 * restarted worker loses nothing.
 */
export class ChatResponder {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sequence: LlamaContextSequence,
    private readonly chatWrapper: NodeLlamaCpp.ChatWrapper,
  ) {}

  respond(params: ChatParams, signal: AbortSignal, onText: (text: string) => void): Promise<ChatResult> {
    const run = this.running.then(() => this.run(params, signal, onText));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async run(params: ChatParams, signal: AbortSignal, onText: (text: string) => void): Promise<ChatResult> {
    const { LlamaChat } = await loadNodeLlamaCpp();
    const start = performance.now();
    let firstTokenAt = 0;
    let generatedTokens = 0;
    const history: NodeLlamaCpp.ChatHistoryItem[] = params.messages.map((m) =>
      m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
    );
    history.push({ type: 'model', response: [] });

    const chat = new LlamaChat({ contextSequence: this.sequence, chatWrapper: this.chatWrapper, autoDisposeSequence: false });
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
        stats: {
          promptTokens: meter.usedInputTokens,
          generatedTokens,
          firstTokenMs: Math.round((firstTokenAt || end) - start),
          totalMs: Math.round(end - start),
        },
      };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }
}
