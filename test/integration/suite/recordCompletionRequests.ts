import type { CompletionParams } from '../../../src/runtime/protocol';
import type { SovereignApi } from '../../../src/sovereignApi';

/**
 * Hands every CompletionParams the runtime is asked with (warm-ups included) to `record`, then
 * passes it on unchanged: what a "never reaches a prompt" test searches. Returns the undo.
 */
export function recordCompletionRequests(api: SovereignApi, record: (params: CompletionParams) => void): () => void {
  const original = api.runtime.complete.bind(api.runtime);
  api.runtime.complete = (params, signal) => {
    record(params);
    return original(params, signal);
  };
  return () => (api.runtime.complete = original);
}
