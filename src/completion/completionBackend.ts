/**
 * What inline completion runs on: the embedded worker or a team server (src/server). Both return
 * raw generated text and stats; the CompletionPipeline post-processes either the same way.
 */
import type { Config } from '../config/config';
import type { RuntimeClient } from '../runtime/client';
import type { CompletionModel } from './completionPipeline';

export interface CompletionBackend extends CompletionModel {
  /** False when nothing is configured (no model file, no server URL): the provider stays silent. */
  configured(): boolean;
}

export function embeddedCompletionBackend(client: RuntimeClient, config: Config): CompletionBackend {
  return {
    complete: (params, signal) => client.complete(params, signal),
    configured: () => !!config.modelPath('completion'),
  };
}
