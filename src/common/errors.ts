/**
 * Errors that cross the worker boundary carry a kind, so the extension can react to the cause
 * (offer "Choose model…", stay silent on cancellation) without parsing messages.
 */
export type ErrorKind =
  | 'noModel'
  | 'modelNotFound'
  | 'notGguf'
  | 'corruptModel'
  | 'noFimTokens'
  /** llama.cpp (this version) cannot run the file's architecture. */
  | 'unsupportedArchitecture'
  /** A chat model file without a chat template: it cannot hold a conversation. */
  | 'noChatTemplate'
  | 'insufficientMemory'
  | 'cancelled'
  | 'workerCrashed'
  | 'workerUnavailable'
  /** Team server (src/server): the URL is outside what the host guard allows; nothing was sent. */
  | 'hostNotAllowed'
  | 'serverUnreachable'
  | 'serverTimeout'
  /** The server refused the API key (HTTP 401/403). */
  | 'serverAuth'
  /** Any other HTTP error or an answer that is not what the protocol says. */
  | 'serverError'
  | 'internal';

/** The kinds a different model FILE fixes: the model checks report them, the pickers offer another file. */
export const modelProblemKinds = ['modelNotFound', 'notGguf', 'corruptModel', 'unsupportedArchitecture', 'noFimTokens', 'noChatTemplate'] as const;
export type ModelProblem = (typeof modelProblemKinds)[number];

export function isModelProblem(kind: ErrorKind): kind is ModelProblem {
  return (modelProblemKinds as readonly ErrorKind[]).includes(kind);
}

export class SovereignError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SovereignError';
  }
}

/** Cancellation is expected control flow: never logged as an error, never shown. */
export class CancelledError extends SovereignError {
  constructor() {
    super('cancelled', 'Cancelled');
    this.name = 'CancelledError';
  }
}

export function isCancelled(e: unknown): boolean {
  return e instanceof SovereignError && e.kind === 'cancelled';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
