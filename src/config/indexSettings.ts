import type { SettingsReader } from './settingsReader';

/**
 * The codebase index's settings. All machine-scoped: a cloned repository's settings cannot widen
 * what is read (nor switch indexing on where the user turned it off). Read when a scan starts.
 */
export const indexKeys = {
  indexEnabled: 'index.enabled',
  indexInclude: 'index.include',
  indexExclude: 'index.exclude',
  indexMaxMegabytes: 'index.maxMegabytes',
} as const;

export interface IndexSettings {
  enabled: boolean;
  /** Folders (globs) indexed in each workspace folder; empty = all of it. */
  include: string[];
  /** Folders and files (globs; without `/`, a name at any depth) never indexed. */
  exclude: string[];
  /** The memory cap: most characters of text indexed in all. */
  maxChars: number;
}

export function indexSettings(read: SettingsReader): IndexSettings {
  return {
    enabled: read.boolean(indexKeys.indexEnabled),
    include: read.strings(indexKeys.indexInclude).filter((s) => s.trim().length > 0),
    exclude: read.strings(indexKeys.indexExclude).filter((s) => s.trim().length > 0),
    maxChars: Math.round(read.number(indexKeys.indexMaxMegabytes, 1) * 2 ** 20),
  };
}
