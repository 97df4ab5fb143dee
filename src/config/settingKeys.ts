/** Every setting key, once. Defaults live only in package.json. */
export const section = 'sovereign';

export const SettingKeys = {
  completionModelPath: 'completion.modelPath',
  completionEnabled: 'completion.enabled',
  completionMaxTokens: 'completion.maxTokens',
  completionContextSize: 'completion.contextSize',
  completionDebounceMs: 'completion.debounceMs',
  completionMaxLines: 'completion.maxLines',
  completionTimeBudgetMs: 'completion.timeBudgetMs',
  completionPrefixLines: 'completion.prefixLines',
  completionSuffixLines: 'completion.suffixLines',
  completionMaxPrefixTokens: 'completion.maxPrefixTokens',
  completionMaxSuffixTokens: 'completion.maxSuffixTokens',
  completionPromptBudgetMs: 'completion.promptBudgetMs',
  completionExtraContext: 'completion.extraContext',
  completionSpeculate: 'completion.speculate',
  completionLanguages: 'completion.languages',
  contextExclude: 'context.exclude',
  chatModelPath: 'chat.modelPath',
  chatContextSize: 'chat.contextSize',
  chatMaxTokens: 'chat.maxTokens',
  threads: 'runtime.threads',
  idleUnloadMinutes: 'runtime.idleUnloadMinutes',
  gpu: 'gpu',
  offline: 'offline',
  modelsFolder: 'models.folder',
  backend: 'backend',
  serverUrl: 'server.url',
  serverAllowedHosts: 'server.allowedHosts',
  serverAllowPublicHosts: 'server.allowPublicHosts',
  serverCompletionModel: 'server.completionModel',
  serverChatModel: 'server.chatModel',
  serverFimTemplate: 'server.fimTemplate',
} as const;

export type SettingKey = (typeof SettingKeys)[keyof typeof SettingKeys];

/** Changing these needs a new worker process (the llama.cpp backend is chosen once per process). */
export const restartKeys: readonly SettingKey[] = [SettingKeys.gpu];
