import * as assert from 'node:assert/strict';
import { SovereignError } from '../../src/common/errors';
import type { RuntimeState } from '../../src/runtime/client';
import type { CompletionStats, ModelInfo } from '../../src/runtime/protocol';
import { RoleStates } from '../../src/ui/roleStates';
import { statusMenu } from '../../src/ui/statusMenu';
import { countersLine, lastLine, plainStatus, statusView, type StatusFacts } from '../../src/ui/statusText';
import { Commands } from '../../src/commands';

const zero = { modelCalls: 0, cacheHits: 0, typeThroughHits: 0, speculativeCalls: 0, cancelled: 0 };
const stats: CompletionStats = { reusedTokens: 813, evaluatedTokens: 20, generatedTokens: 14, promptMs: 300, generateMs: 112, totalMs: 412, stop: 'singleLine' };

function facts(over: { completion?: Partial<StatusFacts['completion']>; chat?: StatusFacts['chat']; runtimeError?: string } = {}): StatusFacts {
  return {
    backend: { kind: 'local' },
    runtimeError: over.runtimeError,
    completion: { paused: false, model: { kind: 'idle', name: 'coder.gguf' }, counters: zero, ...over.completion },
    chat: over.chat ?? { model: { kind: 'idle', name: 'chat.gguf' } },
  };
}

const section = (f: StatusFacts, title: string) => statusView(f).sections.find((s) => s.title === title)?.lines.join(' ') ?? '';

function model(role: 'completion' | 'chat', name: string): ModelInfo {
  return { role, path: `/m/${name}`, name, architecture: 'qwen2', fileBytes: 1, contextSize: 4096, kvBytes: 1, threads: 2, gpu: 'cpu', gpuLayers: 0, fim: undefined } as ModelInfo;
}

describe('status bar words (statusText)', () => {
  it('a failed chat turns the item red but leaves completion its own story, text and tooltip', () => {
    const f = facts({ completion: { model: { kind: 'none' } }, chat: { model: { kind: 'error', message: 'Model file not found: /x/chat.gguf' } } });
    const view = statusView(f);
    assert.equal(view.severity, 'error');
    assert.equal(view.text, '$(error) Sovereign: no model');
    assert.match(section(f, 'Completion'), /No completion model yet\. Click to choose one\./);
    assert.match(section(f, 'Chat'), /Failed: Model file not found/);
    assert.match(plainStatus(view), /^Completion: .*Chat: /);
  });

  it('no model anywhere: a warning that says what to do, for both roles', () => {
    const f = facts({ completion: { model: { kind: 'none' } }, chat: { model: { kind: 'none' } } });
    assert.deepEqual([statusView(f).text, statusView(f).severity], ['$(warning) Sovereign: no model', 'warning']);
    assert.match(section(f, 'Chat'), /No chat model yet: choose one with "Select chat model…"/);
  });

  it('an excluded file: "off here" and why, in the setting\'s own words', () => {
    const f = facts({ completion: { offHere: { kind: 'excluded', file: '.env', reason: { kind: 'excluded', setting: 'sovereign.context.exclude', pattern: '.env*' } } } });
    assert.equal(statusView(f).text, '$(circle-slash) Sovereign: off here');
    assert.match(section(f, 'Completion'), /Off in this file: \.env matches "\.env\*" in sovereign\.context\.exclude, so it is never sent to a model\./);
  });

  it('a language turned off, and completion turned off everywhere', () => {
    const lang = facts({ completion: { offHere: { kind: 'language', languageId: 'markdown' } } });
    assert.equal(statusView(lang).text, '$(circle-slash) Sovereign: off here');
    assert.match(section(lang, 'Completion'), /Off for markdown files \(sovereign\.completion\.languages\)/);
    const all = facts({ completion: { offHere: { kind: 'disabled' } } });
    assert.equal(statusView(all).text, '$(circle-slash) Sovereign: off');
    assert.match(section(all, 'Completion'), /sovereign\.completion\.enabled is false/);
  });

  it('ready: the last suggestion and the counters in the user\'s words', () => {
    const f = facts({ completion: { model: { kind: 'ready', name: 'coder.gguf', detail: 'CPU, 2 threads' }, last: stats, counters: { modelCalls: 12, cacheHits: 5, typeThroughHits: 3, speculativeCalls: 2, cancelled: 4 } } });
    assert.equal(statusView(f).text, '$(check) Sovereign 412 ms');
    const text = section(f, 'Completion');
    assert.match(text, /coder\.gguf is loaded \(CPU, 2 threads\)\./);
    assert.match(text, /Last suggestion in 412 ms: reused 813 tokens from the last request, read 20 new, wrote 14; stopped as the line ended\./);
    assert.match(text, /So far: 12 suggestions from the model, 5 reused from cache, 3 kept while you typed them, 2 prepared ahead of you, 4 dropped as you typed on\./);
    assert.doesNotMatch(text, /modelCalls|cacheHits|typeThrough|speculative|cancelled:/);
  });

  it('words for a first request and before any', () => {
    assert.equal(lastLine({ ...stats, reusedTokens: 0, evaluatedTokens: 1, stop: 'eog' }), 'Last suggestion in 412 ms: read 1 token of context, wrote 14; stopped as the model finished.');
    // The thread count in use: said plainly, and why when it is below what the model was loaded with.
    assert.match(lastLine({ ...stats, threads: 2 }, 2), /, wrote 14 on 2 threads; stopped/);
    assert.match(lastLine({ ...stats, threads: 1 }, 2), /, wrote 14 on 1 thread of 2 \(other programs keep the cores busy\); stopped/);
    assert.equal(countersLine(zero), undefined);
    assert.match(countersLine({ ...zero, modelCalls: 1 }) ?? '', /^So far: 1 suggestion from the model,/);
  });

  it('paused and loading', () => {
    const paused = facts({ completion: { paused: true } });
    assert.equal(statusView(paused).text, '$(debug-pause) Sovereign: paused');
    assert.match(section(paused, 'Completion'), /Completions paused\. Click to resume\./);
    const loading = facts({ completion: { model: { kind: 'loading', name: 'coder.gguf' } } });
    assert.equal(statusView(loading).text, '$(loading~spin) Sovereign');
    assert.match(section(loading, 'Completion'), /Loading coder\.gguf…/);
  });

  it('the worker failing is its own section, and red', () => {
    const f = facts({ runtimeError: 'The model worker crashed 3 times in a row.' });
    assert.equal(statusView(f).severity, 'error');
    assert.deepEqual(statusView(f).sections.map((s) => s.title), ['Runtime', 'Completion', 'Chat']);
  });

  it('a team server: its state, and both roles through it', () => {
    const f: StatusFacts = { ...facts({ completion: { last: stats } }), backend: { kind: 'server', url: 'http://127.0.0.1:8080', state: 'ready', model: 'qwen' } };
    assert.equal(statusView(f).text, '$(remote) Sovereign 412 ms');
    assert.match(section(f, 'Team server http://127.0.0.1:8080'), /Answering with qwen/);
    const failed: StatusFacts = { ...f, backend: { kind: 'server', url: 'http://127.0.0.1:8080', state: 'error', error: 'Unreachable' } };
    assert.equal(statusView(failed).severity, 'error');
  });
});

describe('status menu (statusMenu)', () => {
  const labels = (f: StatusFacts, lang?: string) => statusMenu(f, lang).map((e) => e.label.replace(/^\$\([^)]*\) /, ''));

  it('with no completion model, the first entries say what to do', () => {
    const entries = statusMenu(facts({ completion: { model: { kind: 'none' } } }), 'python');
    assert.deepEqual(entries.slice(0, 2).map((e) => e.action), [
      { kind: 'command', command: Commands.selectCompletionModel },
      { kind: 'command', command: Commands.getStarted },
    ]);
  });

  it('offers Open Chat, Settings, and turning completion off for the language (and on again)', () => {
    const on = labels(facts(), 'python');
    for (const l of ['Open Chat', 'Settings', 'Turn off completion for python', 'Pause completions']) assert.ok(on.includes(l), `${l} in ${on.join(', ')}`);
    const entry = statusMenu(facts(), 'python').find((e) => e.action.kind === 'language');
    assert.deepEqual(entry?.action, { kind: 'language', languageId: 'python', on: false });
    const off = statusMenu(facts({ completion: { offHere: { kind: 'language', languageId: 'python' } } }), 'python').find((e) => e.action.kind === 'language');
    assert.deepEqual(off?.action, { kind: 'language', languageId: 'python', on: true });
    assert.ok(!labels(facts()).some((l) => l.startsWith('Turn')), 'no language entry without an editor');
  });
});

describe('each role keeps its own model state (RoleStates)', () => {
  const err = (kind: 'modelNotFound' | 'noModel' | 'workerCrashed', role?: 'completion' | 'chat'): RuntimeState => ({ kind: 'error', error: new SovereignError(kind, `${kind}!`), role });

  it('a chat load failure stays chat\'s; completion keeps its ready model and last numbers', () => {
    const roles = new RoleStates();
    roles.update({ kind: 'ready', models: [model('completion', 'coder.gguf')], last: stats });
    roles.update({ kind: 'loading', role: 'chat', path: '/m/chat.gguf' });
    assert.deepEqual(roles.model('chat', undefined, '/m/chat.gguf'), { kind: 'loading', name: 'chat.gguf' });
    roles.update(err('modelNotFound', 'chat'));
    assert.deepEqual(roles.model('chat', undefined, '/m/chat.gguf'), { kind: 'error', message: 'modelNotFound!' });
    assert.deepEqual(roles.model('completion', model('completion', 'coder.gguf'), '/m/coder.gguf'), { kind: 'ready', name: 'coder.gguf', detail: 'CPU, 2 threads', threads: 2 });
    assert.equal(roles.last, stats);
    // A later completion does not clear chat's failure; loading chat again does.
    roles.update({ kind: 'ready', models: [model('completion', 'coder.gguf')], last: stats });
    assert.equal(roles.model('chat', undefined, '/m/chat.gguf').kind, 'error');
    roles.update({ kind: 'loading', role: 'chat', path: '/m/chat.gguf' });
    assert.equal(roles.model('chat', undefined, '/m/chat.gguf').kind, 'loading');
    // A new file in the setting: the old file's failure is forgotten before anything loads.
    roles.update(err('modelNotFound', 'chat'));
    roles.forget('chat');
    assert.deepEqual(roles.model('chat', undefined, '/m/other.gguf'), { kind: 'idle', name: 'other.gguf' });
  });

  it('"no model" comes from the settings, not from a remembered error; a worker failure is both roles\'', () => {
    const roles = new RoleStates();
    roles.update(err('noModel', 'chat'));
    assert.deepEqual(roles.model('chat', undefined, undefined), { kind: 'none' });
    assert.deepEqual(roles.model('chat', undefined, '/m/chat.gguf'), { kind: 'idle', name: 'chat.gguf' });
    roles.update(err('workerCrashed'));
    assert.equal(roles.runtimeError, 'workerCrashed!');
    roles.update({ kind: 'idle' });
    assert.equal(roles.runtimeError, undefined);
  });
});
