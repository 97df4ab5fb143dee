import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { section, type SettingKey } from '../../src/config/settingKeys';
import { SettingsReader } from '../../src/config/settingsReader';

export interface SettingSchema {
  type: string | string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}

/** package.json's `contributes.configuration.properties`, by key without the `sovereign.` section. */
export const contributedSettings: ReadonlyMap<string, SettingSchema> = (() => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, SettingSchema> } };
  };
  return new Map(Object.entries(pkg.contributes.configuration.properties).map(([key, schema]) => [key.slice(section.length + 1), schema]));
})();

/** Settings as VS Code would give them: the values set here, else package.json's defaults. */
export class TableSettings extends SettingsReader {
  constructor(private readonly values: Partial<Record<SettingKey, unknown>> = {}) {
    super();
  }

  set(key: SettingKey, value: unknown): this {
    this.values[key] = value;
    return this;
  }

  protected override value(key: SettingKey): unknown {
    return key in this.values ? this.values[key] : this.defaultValue(key);
  }

  protected override defaultValue(key: SettingKey): unknown {
    return contributedSettings.get(key)?.default;
  }
}
