/**
 * The logging surface every component uses. VS Code's LogOutputChannel satisfies it as is, so
 * pure modules and the worker log without importing `vscode`.
 */
export interface Log {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Prefixes each line with the component that wrote it: `[runtime] worker started`. */
export function tagged(log: Log, component: string): Log {
  const p = `[${component}] `;
  return {
    trace: (m) => log.trace(p + m),
    debug: (m) => log.debug(p + m),
    info: (m) => log.info(p + m),
    warn: (m) => log.warn(p + m),
    error: (m) => log.error(p + m),
  };
}

export const silentLog: Log = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
