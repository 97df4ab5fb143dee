/**
 * The model worker: a child process forked by the extension host. A native crash or a SIGKILL
 * here takes down this process only; the extension's supervisor restarts it.
 */
import { CancellationToken, ResponseError } from 'vscode-jsonrpc';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import { CancelledError, SovereignError, errorMessage } from '../../common/errors';
import {
  chatChunkNotification,
  chatRequest,
  completeRequest,
  countTokensRequest,
  embedRequest,
  chatPromptTokensRequest,
  hardwareRequest,
  inspectModelRequest,
  loadModelRequest,
  logNotification,
  shutdownRequest,
  statusRequest,
  unloadRequest,
  workerErrorCode,
  type WorkerErrorData,
} from '../protocol';
import { ModelHost } from './modelHost';

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
const host = new ModelHost((entry) => void connection.sendNotification(logNotification, entry));

/** Turns the JSON-RPC token into the AbortSignal node-llama-cpp understands. */
function toSignal(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

/** Every failure crosses the boundary as one error code with its kind in `data`. */
async function guard<R>(work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (e) {
    const kind = e instanceof SovereignError ? e.kind : 'internal';
    if (kind === 'internal') {
      void connection.sendNotification(logNotification, { level: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    throw new ResponseError<WorkerErrorData>(workerErrorCode, errorMessage(e), { kind });
  }
}

connection.onRequest(loadModelRequest, (params) => guard(() => host.load(params)));

connection.onRequest(completeRequest, (params, token) =>
  guard(async () => {
    if (token.isCancellationRequested) throw new CancelledError();
    return host.complete(params, toSignal(token));
  }),
);

connection.onRequest(chatRequest, (params, token) =>
  guard(() => host.chat(params, toSignal(token), (text) => void connection.sendNotification(chatChunkNotification, { streamId: params.streamId, text }))),
);

connection.onRequest(embedRequest, (params, token) => guard(() => host.embed(params.texts, toSignal(token))));

connection.onRequest(countTokensRequest, (params) => guard(async () => host.countTokens(params.role, params.texts)));
connection.onRequest(chatPromptTokensRequest, (params) => guard(async () => host.chatPromptTokens(params.messages)));

connection.onRequest(hardwareRequest, (params) => guard(() => host.hardware(params.gpu)));
connection.onRequest(inspectModelRequest, (params) => guard(() => host.inspect(params)));

connection.onRequest(statusRequest, () => ({ pid: process.pid, rssBytes: process.memoryUsage.rss(), models: host.models(), completions: { ...host.completionCounts }, embeddings: { ...host.embeddingCounts } }));

connection.onRequest(unloadRequest, (params) => guard(() => host.unload(params.role)));

connection.onRequest(shutdownRequest, async () => {
  await host.unload().catch(() => undefined);
  // Reply first, then exit once the reply is on its way.
  setTimeout(() => process.exit(0), 10);
});

// The extension host went away without asking: do not linger as an orphan.
process.on('disconnect', () => process.exit(0));

connection.listen();
