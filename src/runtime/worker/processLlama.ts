import type { GpuSetting } from '../protocol';
import { loadNodeLlamaCpp, type Llama } from './nodeLlamaCpp';

let current: { gpu: GpuSetting; llama: Promise<Llama> } | undefined;

/**
 * One llama.cpp backend per process. Prebuilt binaries only (`build: "never"`): a user's
 * machine must never start compiling llama.cpp. Changing the GPU setting needs a new worker.
 */
export function processLlama(gpu: GpuSetting, onLog: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void): Promise<Llama> {
  if (current && current.gpu === gpu) return current.llama;
  if (current) throw new Error('The GPU setting changed: restart the runtime to apply it.');
  const llama = (async () => {
    const { getLlama, LlamaLogLevel } = await loadNodeLlamaCpp();
    return getLlama({
      build: 'never',
      gpu: gpu === 'off' ? false : gpu,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trimEnd();
        if (!text) return;
        onLog(level === LlamaLogLevel.error || level === LlamaLogLevel.fatal ? 'error' : level === LlamaLogLevel.warn ? 'warn' : 'debug', text);
      },
    });
  })();
  current = { gpu, llama };
  llama.catch(() => {
    if (current?.llama === llama) current = undefined;
  });
  return llama;
}
