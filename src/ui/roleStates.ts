/**
 * Each role's model as the status bar tells it, from the runtime's one stream of states. The
 * runtime has a single state, so a chat model that failed to load replaced completion's state
 * (and the reverse): here each failure is kept as its own role's, until that role loads again.
 * Pure, so it is unit-tested without VS Code.
 */
import type { RuntimeState } from '../runtime/client';
import type { CompletionStats, ModelInfo, ModelRole } from '../runtime/protocol';
import type { ModelState } from './statusText';

export class RoleStates {
  private readonly failed = new Map<ModelRole, string>();
  private workerFailed: string | undefined;
  private lastCompletion: CompletionStats | undefined;
  private current: RuntimeState = { kind: 'idle' };

  update(state: RuntimeState): void {
    this.current = state;
    switch (state.kind) {
      case 'error':
        // "No model configured" is told from the settings, and goes away with them.
        if (state.error.kind === 'noModel') break;
        if (state.role) this.failed.set(state.role, state.error.message);
        else this.workerFailed = state.error.message;
        break;
      case 'loading':
        this.failed.delete(state.role);
        this.workerFailed = undefined;
        break;
      case 'ready':
        for (const m of state.models) this.failed.delete(m.role);
        this.workerFailed = undefined;
        if (state.last) this.lastCompletion = state.last;
        break;
      case 'idle':
        // Restarted, unloaded or recovering from a crash: each role starts over.
        this.failed.clear();
        this.workerFailed = undefined;
        break;
    }
  }

  /** The role's model setting changed: its old failure says nothing about the new file. */
  forget(role: ModelRole): void {
    this.failed.delete(role);
  }

  /** The worker itself failed (crashed too often, shut down): both roles wait on it. */
  get runtimeError(): string | undefined {
    return this.workerFailed;
  }

  /** The last completion's numbers, kept while the chat model loads (the runtime's state then has none). */
  get last(): CompletionStats | undefined {
    return this.lastCompletion;
  }

  /** `loaded`: the worker's model for the role now; `configured`: the settings' file for it. */
  model(role: ModelRole, loaded: ModelInfo | undefined, configured: string | undefined): ModelState {
    const failed = this.failed.get(role);
    if (failed) return { kind: 'error', message: failed };
    const s = this.current;
    if (s.kind === 'loading' && s.role === role) return { kind: 'loading', name: baseName(s.path) };
    if (loaded) return { kind: 'ready', name: loaded.name, detail: hardware(loaded), threads: loaded.threads };
    return configured ? { kind: 'idle', name: baseName(configured) } : { kind: 'none' };
  }
}

function hardware(m: ModelInfo): string {
  const gpu = m.gpu === 'cpu' || !m.gpu ? 'CPU' : `${m.gpu.toUpperCase()}${m.gpuLayers ? `, ${m.gpuLayers} layers on the GPU` : ''}`;
  return `${gpu}, ${m.threads} ${m.threads === 1 ? 'thread' : 'threads'}`;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
