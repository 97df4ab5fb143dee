/**
 * node-llama-cpp is ESM-only with native binaries: it stays out of the bundle and is loaded
 * once, on first use, so starting the worker costs nothing until a model is needed.
 */
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };

export type { NodeLlamaCpp };
export type Llama = NodeLlamaCpp.Llama;
export type LlamaModel = NodeLlamaCpp.LlamaModel;
export type LlamaContext = NodeLlamaCpp.LlamaContext;
export type LlamaContextSequence = NodeLlamaCpp.LlamaContextSequence;
export type Token = NodeLlamaCpp.Token;

let module: Promise<typeof NodeLlamaCpp> | undefined;

export function loadNodeLlamaCpp(): Promise<typeof NodeLlamaCpp> {
  module ??= import('node-llama-cpp');
  return module;
}
