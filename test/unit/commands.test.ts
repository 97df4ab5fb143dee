import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands } from '../../src/commands';

interface Manifest {
  contributes: {
    commands: { command: string; category?: string }[];
    keybindings: { command: string }[];
    menus: Record<string, { command: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as Manifest;
const ours = (id: string) => id.startsWith('sovereign.');

describe('command ids', () => {
  const ids = new Set<string>(Object.values(Commands));

  it('every command package.json names (palette, menus, keybindings) is declared once in src/commands.ts', () => {
    const named = [
      ...manifest.contributes.commands.map((c) => c.command),
      ...manifest.contributes.keybindings.map((k) => k.command).filter(ours),
      ...Object.values(manifest.contributes.menus).flatMap((items) => items.map((i) => i.command)).filter(ours),
    ];
    for (const id of named) assert.ok(ids.has(id), `${id} is in package.json but not in Commands`);
  });

  it('every declared command is contributed (palette) or bound to a key, under the Sovereign category', () => {
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c.category]));
    const bound = new Set(manifest.contributes.keybindings.map((k) => k.command));
    for (const id of ids) {
      assert.ok(contributed.has(id) || bound.has(id), `${id} is declared but package.json neither lists nor binds it`);
      if (contributed.has(id)) assert.equal(contributed.get(id), 'Sovereign', id);
    }
    assert.equal(ids.size, Object.keys(Commands).length, 'two names for one id');
  });

  it('no command id is spelled out anywhere else in src/', () => {
    const hits = execFileSync('grep', ['-rnoE', `'sovereign\\.[a-zA-Z]+'`, join(__dirname, '../../src')], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line && !line.includes('src/commands.ts:'))
      .filter((line) => ids.has(line.slice(line.lastIndexOf(':') + 2, -1)));
    assert.deepEqual(hits, []);
  });
});
