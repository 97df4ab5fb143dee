/**
 * The JSON-RPC machinery and the protocol's message objects, loaded by the client only when it
 * starts the worker: about half of the extension's bundle, kept off the activation path.
 */
export * as protocol from './protocol';
export { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc';
export { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
