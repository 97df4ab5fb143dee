import * as assert from 'node:assert/strict';
import { chatSettings } from '../../src/config/chatSettings';
import { completionEnabledFor, completionSettings, extraContextTokens } from '../../src/config/completionSettings';
import { indexSettings } from '../../src/config/indexSettings';
import { modelLoadSettings, runtimeSettings } from '../../src/config/runtimeSettings';
import { serverSettings } from '../../src/config/serverSettings';
import { sameLoad } from '../../src/runtime/protocol';
import { SettingKeys, type SettingKey } from '../../src/config/settingKeys';
import { contributedSettings, TableSettings } from './tableSettings';

/** Every feature reader, as the extension calls them. */
function readAll(settings: TableSettings): void {
  completionSettings(settings);
  chatSettings(settings);
  runtimeSettings(settings);
  serverSettings(settings);
  indexSettings(settings);
  for (const role of ['completion', 'chat', 'embedding'] as const) modelLoadSettings(settings, role, { SOVEREIGN_MODEL: '/m.gguf' });
}

/** Records how the readers read each key: its bounds or its choices. */
class RecordingSettings extends TableSettings {
  readonly bounds = new Map<SettingKey, { min: number; max: number }>();
  readonly choices = new Map<SettingKey, readonly string[]>();
  readonly read = new Set<SettingKey>();
  override boolean(key: SettingKey): boolean {
    this.read.add(key);
    return super.boolean(key);
  }
  override number(key: SettingKey, min: number, max = Number.MAX_SAFE_INTEGER): number {
    this.read.add(key);
    this.bounds.set(key, { min, max });
    return super.number(key, min, max);
  }
  override string(key: SettingKey): string {
    this.read.add(key);
    return super.string(key);
  }
  override choice<T extends string>(key: SettingKey, choices: readonly T[]): T {
    this.read.add(key);
    this.choices.set(key, choices);
    return super.choice(key, choices);
  }
  override strings(key: SettingKey): string[] {
    this.read.add(key);
    return super.strings(key);
  }
  override switches(key: SettingKey): Record<string, boolean> {
    this.read.add(key);
    return super.switches(key);
  }
}

describe('settings: package.json and the typed readers agree', () => {
  const keys = Object.values(SettingKeys) as SettingKey[];

  it('every contributed setting has a key, and every key is contributed', () => {
    assert.deepEqual([...contributedSettings.keys()].sort(), [...keys].sort());
  });

  it('a feature reader reads every setting (context.exclude: the exclusion filter)', () => {
    const recording = new RecordingSettings();
    readAll(recording);
    const unread = keys.filter((k) => !recording.read.has(k));
    assert.deepEqual(unread, [SettingKeys.contextExclude]);
  });

  it('each number is clamped to the minimum and maximum package.json declares', () => {
    const recording = new RecordingSettings();
    readAll(recording);
    for (const [key, schema] of contributedSettings) {
      if (schema.type !== 'integer' && schema.type !== 'number') continue;
      const bounds = recording.bounds.get(key as SettingKey);
      assert.ok(bounds, `${key} is not read as a number`);
      assert.equal(bounds.min, schema.minimum, `${key}: minimum`);
      assert.equal(bounds.max, schema.maximum ?? Number.MAX_SAFE_INTEGER, `${key}: maximum`);
    }
  });

  it("each choice is package.json's enum", () => {
    const recording = new RecordingSettings();
    readAll(recording);
    for (const [key, schema] of contributedSettings) {
      if (!schema.enum || key === SettingKeys.serverFimTemplate) continue; // the server's template table decides
      assert.deepEqual(recording.choices.get(key as SettingKey), schema.enum, key);
    }
  });
});

describe('settings: the typed readers', () => {
  it('completion: the defaults, the extra context budget and the debounce bounds', () => {
    const s = completionSettings(new TableSettings());
    assert.equal(s.maxTokens, contributedSettings.get(SettingKeys.completionMaxTokens)?.default);
    assert.equal(s.maxExtraTokens, extraContextTokens);
    assert.deepEqual([s.debounceMinMs, s.debounceMaxMs], [30, 120]);
    assert.equal(completionSettings(new TableSettings({ [SettingKeys.completionExtraContext]: false })).maxExtraTokens, 0);
    assert.equal(s.codebaseContext, contributedSettings.get(SettingKeys.completionCodebaseContext)?.default);
    assert.equal(completionSettings(new TableSettings({ [SettingKeys.completionExtraContext]: false, [SettingKeys.completionCodebaseContext]: true })).codebaseContext, false, 'it goes where the extra context goes: nowhere while that is off');
    const quick = completionSettings(new TableSettings({ [SettingKeys.completionDebounceMs]: 10 }));
    assert.deepEqual([quick.debounceMinMs, quick.debounceMaxMs], [10, 10], 'never waits longer than the setting');
  });

  it('a value of the wrong type falls back to the default; one out of range is clamped', () => {
    const wrong = completionSettings(new TableSettings({ [SettingKeys.completionMaxTokens]: 'lots', [SettingKeys.completionSpeculate]: 'yes', [SettingKeys.completionLanguages]: ['python'] }));
    assert.equal(wrong.maxTokens, 64);
    assert.equal(wrong.speculate, true);
    assert.deepEqual(wrong.languages, contributedSettings.get(SettingKeys.completionLanguages)?.default);
    assert.equal(completionSettings(new TableSettings({ [SettingKeys.completionMaxTokens]: 100_000 })).maxTokens, 512);
    assert.equal(completionSettings(new TableSettings({ [SettingKeys.completionMaxTokens]: -3 })).maxTokens, 1);
    assert.equal(completionSettings(new TableSettings({ [SettingKeys.completionMaxLines]: 2.6 })).maxLines, 3);
    assert.equal(runtimeSettings(new TableSettings({ [SettingKeys.gpu]: 'tpu' })).gpu, 'auto');
  });

  it('completion per language: `*` for the others, off everywhere when disabled', () => {
    const s = completionSettings(new TableSettings({ [SettingKeys.completionLanguages]: { '*': false, python: true, go: 'no' } }));
    assert.equal(completionEnabledFor(s, 'python'), true);
    assert.equal(completionEnabledFor(s, 'go'), false, 'a non-boolean entry is dropped');
    assert.equal(completionEnabledFor({ ...s, enabled: false }, 'python'), false);
    assert.equal(completionEnabledFor(completionSettings(new TableSettings()), 'markdown'), false);
  });

  it('models: the path (trimmed, else SOVEREIGN_MODEL), its window, threads (adapted by default) and GPU', () => {
    const settings = new TableSettings({ [SettingKeys.chatModelPath]: ' /m/chat.gguf ', [SettingKeys.chatContextSize]: 8192, [SettingKeys.threads]: 3 });
    assert.deepEqual(modelLoadSettings(settings, 'chat', {}), { path: '/m/chat.gguf', contextSize: 8192, threads: 3, adaptiveThreads: true, gpu: 'auto' });
    assert.equal(modelLoadSettings(settings.set(SettingKeys.adaptiveThreads, false), 'chat', {})?.adaptiveThreads, false);
    assert.equal(modelLoadSettings(settings, 'completion', {}), undefined);
    assert.equal(modelLoadSettings(settings, 'completion', { SOVEREIGN_MODEL: '/m/any.gguf' })?.path, '/m/any.gguf');
    const lookup = new TableSettings({ [SettingKeys.completionModelPath]: '/m/c.gguf', [SettingKeys.completionPromptLookup]: true });
    assert.equal(modelLoadSettings(lookup, 'completion', {})?.promptLookup, true, 'prompt lookup is a completion load setting');
    const off = modelLoadSettings(new TableSettings({ [SettingKeys.completionModelPath]: '/m/c.gguf' }), 'completion', {})!;
    assert.equal(off.promptLookup, false);
    assert.equal(sameLoad(off, { ...off, promptLookup: true }), false, 'turning it on loads the model again');
    assert.equal(sameLoad(off, { ...off, promptLookup: undefined }), true, 'absent is off');
    assert.equal(off.cacheReuse, true, 'KV reuse across jumps is on by default');
    assert.equal(modelLoadSettings(new TableSettings({ [SettingKeys.completionModelPath]: '/m/c.gguf', [SettingKeys.completionCacheReuse]: false }), 'completion', {})?.cacheReuse, false);
    assert.equal(sameLoad(off, { ...off, cacheReuse: false }), false, 'turning KV reuse off loads the model again');
    assert.equal(modelLoadSettings(settings, 'chat', {})?.cacheReuse, undefined, 'chat has no KV reuse setting');
    assert.equal(off.cachedPlaces, 3, 'three places kept by default');
    assert.equal(modelLoadSettings(new TableSettings({ [SettingKeys.completionModelPath]: '/m/c.gguf', [SettingKeys.completionCachedPlaces]: 99 }), 'completion', {})?.cachedPlaces, 8, 'clamped to 8');
    assert.equal(sameLoad(off, { ...off, cachedPlaces: 1 }), false, 'another count loads the model again');
    assert.equal(modelLoadSettings(settings, 'chat', {})?.cachedPlaces, undefined, 'chat keeps one sequence');
    assert.equal(chatSettings(settings).contextSize, 8192, 'the chat window estimate is the loaded window');
  });

  it('runtime: idle unload in milliseconds, 0 = never', () => {
    assert.equal(runtimeSettings(new TableSettings({ [SettingKeys.idleUnloadMinutes]: 1.5 })).idleUnloadMs, 90_000);
    assert.equal(runtimeSettings(new TableSettings({ [SettingKeys.idleUnloadMinutes]: -1 })).idleUnloadMs, 0);
  });

  it('server: the backend picks the kind; offline and the chat window come along', () => {
    const s = serverSettings(new TableSettings({ [SettingKeys.backend]: 'openai-compatible', [SettingKeys.serverUrl]: ' http://gpu.internal:8080 ', [SettingKeys.offline]: true }));
    assert.equal(s.kind, 'openai-compatible');
    assert.equal(s.url, 'http://gpu.internal:8080');
    assert.equal(s.offline, true);
    assert.equal(s.chatContextSize, 4096);
    assert.equal(serverSettings(new TableSettings({ [SettingKeys.backend]: 'llama-server' })).kind, 'llama-server');
  });
});
