/**
 * Every place in `src/` that can use the network, with the user action that triggers it. The
 * unit test test/unit/privacyNetworkCallSites.test.ts fails on a network API anywhere else, and
 * on an entry here that no longer has one, so this list stays the complete inventory; and on a
 * `readmeCase` the README's privacy section does not tell users about (or one it tells of that no
 * entry here has).
 */
import type { ScanRules } from './sourceScan';

export interface NetworkCallSite {
  /** A file, or a folder ending in `/` whose files all belong to this entry. */
  path: string;
  /** The APIs it uses (as the scan names them); `*` for any. */
  apis: readonly string[];
  /** What the user did that makes this code touch the network. */
  userAction: string;
  /** The bold title of the README privacy section's bullet that tells users about it. */
  readmeCase: string;
}

export const networkCallSites: readonly NetworkCallSite[] = [
  {
    path: 'src/models/downloadModel.ts',
    apis: ['fetch', 'createModelDownloader'],
    userAction:
      'The user picks a model preset to download in "Sovereign: Select Completion Model…" / "Select Chat Model…" (or the walkthrough). ' +
      'One HEAD request, then the download from Hugging Face (or HF_ENDPOINT / MODEL_ENDPOINT). Refused without any request when sovereign.offline is on.',
    readmeCase: 'You download a model',
  },
  {
    path: 'src/server/',
    apis: ['*'],
    userAction:
      'The user set sovereign.backend to a team server (llama-server or OpenAI-compatible) and sovereign.server.url: completion and chat requests go to that ' +
      'URL, and only if it is a loopback or private host, listed in sovereign.server.allowedHosts, or sovereign.server.allowPublicHosts is on. ' +
      'Refused without any request when sovereign.offline is on. With the default embedded backend this code sends nothing.',
    readmeCase: 'You configure a team server',
  },
  {
    path: 'src/chat/chatController.ts',
    apis: ['openExternal'],
    userAction:
      'The user clicks an http(s) link in a chat answer and confirms VS Code\'s "open external website" prompt: VS Code hands the URL to the browser; Sovereign itself sends nothing.',
    readmeCase: 'You click a link in a chat answer',
  },
];

/** Node builtins and npm clients that open connections. */
const networkModules = new Set([
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dns',
  'dns/promises',
  'dgram',
  'undici',
  'node-fetch',
  'cross-fetch',
  'isomorphic-fetch',
  'axios',
  'got',
  'ky',
  'superagent',
  'request',
  'needle',
  'ws',
  'socket.io-client',
  'eventsource',
  'ipull',
]);

export const networkRules: ScanRules = {
  identifiers: new Set([
    'fetch',
    'XMLHttpRequest',
    'WebSocket',
    'EventSource',
    'sendBeacon',
    'importScripts',
    'openExternal',
    // node-llama-cpp's downloaders and the resolver that downloads a missing model.
    'createModelDownloader',
    'combineModelDownloaders',
    'resolveModelFile',
  ]),
  modules: (m) => networkModules.has(m),
  programs: new Set(['curl', 'wget', 'nc', 'ssh', 'scp', 'rsync']),
  guardedCalls: new Map([
    // Without build: 'never', node-llama-cpp may download llama.cpp's source to build it.
    ['getLlama', /build:\s*['"]never['"]/],
    // Given a URL it reads over the network; the filesystem source type rules that out.
    ['readGgufFileInfo', /sourceType:\s*['"]filesystem['"]/],
  ]),
};
