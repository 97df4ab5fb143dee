import { chatSettings } from './chatSettings';
import { runtimeSettings } from './runtimeSettings';
import type { SettingsReader } from './settingsReader';

/**
 * The team server's settings (all machine-scoped, so a workspace cannot redirect code to a server).
 * Read per request: a change applies to the next one.
 */
export const serverKeys = {
  backend: 'backend',
  serverUrl: 'server.url',
  serverAllowedHosts: 'server.allowedHosts',
  serverAllowPublicHosts: 'server.allowPublicHosts',
  serverCompletionModel: 'server.completionModel',
  serverChatModel: 'server.chatModel',
  serverFimTemplate: 'server.fimTemplate',
} as const;

const backends = ['embedded', 'llama-server', 'openai-compatible'] as const;
export type BackendSetting = (typeof backends)[number];
export type ServerKind = Exclude<BackendSetting, 'embedded'>;

export interface ServerSettings {
  kind: ServerKind;
  url: string;
  allowedHosts: readonly string[];
  allowPublicHosts: boolean;
  /** `sovereign.offline`: no network at all, so no team server either (even on this machine's network). */
  offline?: boolean;
  /** Sent as `model` (openai-compatible); empty = none sent, the server's default. */
  completionModel: string;
  chatModel: string;
  /** A FIM family name from package.json's enum; the server's template table decides what it means. */
  fimTemplate: string;
  /** Used when the server does not say how large its context is. */
  chatContextSize: number;
}

/** Which backend answers completions and chat right now. */
export function backendSetting(read: SettingsReader): BackendSetting {
  return read.choice(serverKeys.backend, backends);
}

export function serverSettings(read: SettingsReader): ServerSettings {
  const backend = backendSetting(read);
  return {
    kind: backend === 'embedded' ? 'llama-server' : backend,
    url: read.string(serverKeys.serverUrl),
    allowedHosts: read.strings(serverKeys.serverAllowedHosts),
    allowPublicHosts: read.boolean(serverKeys.serverAllowPublicHosts),
    offline: runtimeSettings(read).offline,
    completionModel: read.string(serverKeys.serverCompletionModel),
    chatModel: read.string(serverKeys.serverChatModel),
    fimTemplate: read.string(serverKeys.serverFimTemplate),
    chatContextSize: chatSettings(read).contextSize,
  };
}
