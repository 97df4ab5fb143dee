import type { SettingKey } from './settingKeys';

/**
 * Typed reads of setting values, each checked once here: a value is whatever JSON the user wrote
 * (VS Code only warns about a wrong type or range), so a value of the wrong type falls back to
 * package.json's default and a number is clamped to its range. The feature readers
 * (completionSettings, chatSettings, runtimeSettings, serverSettings) are built on these and free
 * of `vscode`: the extension reads VS Code's configuration (config.ts), unit tests a table.
 */
export abstract class SettingsReader {
  /** The value in effect: the user's or the workspace's, else package.json's default. */
  protected abstract value(key: SettingKey): unknown;
  /** package.json's default: what a value of the wrong type falls back to. */
  protected abstract defaultValue(key: SettingKey): unknown;

  boolean(key: SettingKey): boolean {
    return this.typed(key, (v): v is boolean => typeof v === 'boolean', false);
  }

  /** Rounded and clamped to [min, max] (package.json's `minimum` and `maximum`). */
  integer(key: SettingKey, min: number, max = Number.MAX_SAFE_INTEGER): number {
    return Math.min(max, Math.max(min, Math.round(this.number(key, min, max))));
  }

  number(key: SettingKey, min: number, max = Number.MAX_SAFE_INTEGER): number {
    return Math.min(max, Math.max(min, this.typed(key, (v): v is number => typeof v === 'number' && Number.isFinite(v), min)));
  }

  /** Trimmed: a path or URL pasted with a trailing space still works. */
  string(key: SettingKey): string {
    return this.typed(key, (v): v is string => typeof v === 'string', '').trim();
  }

  /** One of `choices` (package.json's `enum`). */
  choice<T extends string>(key: SettingKey, choices: readonly T[]): T {
    return this.typed(key, (v): v is T => choices.includes(v as T), choices[0]);
  }

  /** The strings of an array setting; other entries are dropped. */
  strings(key: SettingKey): string[] {
    const list = this.typed(key, (v): v is unknown[] => Array.isArray(v), []);
    return list.filter((s): s is string => typeof s === 'string');
  }

  /** An object setting of on/off switches (`{ "*": true, "markdown": false }`); other entries are dropped. */
  switches(key: SettingKey): Record<string, boolean> {
    const object = this.typed(key, (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v), {});
    return Object.fromEntries(Object.entries(object).filter((e): e is [string, boolean] => typeof e[1] === 'boolean'));
  }

  private typed<T>(key: SettingKey, is: (v: unknown) => v is T, last: T): T {
    const value = this.value(key);
    if (is(value)) return value;
    const fallback = this.defaultValue(key);
    return is(fallback) ? fallback : last;
  }
}
