import { chatKeys } from './chatSettings';
import { completionKeys } from './completionSettings';
import { indexKeys } from './indexSettings';
import { runtimeKeys } from './runtimeSettings';
import { serverKeys } from './serverSettings';

/**
 * Every setting key, once: each is declared next to the reader that reads it (completionSettings.ts,
 * chatSettings.ts, runtimeSettings.ts, serverSettings.ts, indexSettings.ts); this is the whole list. Defaults live
 * only in package.json.
 */
export const section = 'sovereign';

export const SettingKeys = {
  ...completionKeys,
  ...chatKeys,
  ...runtimeKeys,
  ...serverKeys,
  ...indexKeys,
  contextExclude: 'context.exclude',
} as const;

export type SettingKey = (typeof SettingKeys)[keyof typeof SettingKeys];

/** Changing these needs a new worker process (the llama.cpp backend is chosen once per process). */
export const restartKeys: readonly SettingKey[] = [SettingKeys.gpu];
