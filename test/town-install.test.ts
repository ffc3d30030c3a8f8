// gt install: the town layout, idempotent repair, --git, and the directories it refuses.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectFailure, git, gt, gtJson, snapshotTree, tempDir } from './support/gt.ts';

interface Installed {
  root: string;
  name: string;
  created: boolean;
  added: string[];
  git: boolean;
}

describe('gt install', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());
  const temp = (): string => {
    const t = tempDir('gt install');
    cleanup = t.cleanup;
    return t.dir;
  };

  it('creates the layout in a path with spaces, and a second run changes nothing', () => {
    const base = temp();
    const r = gtJson<Installed>(base, ['install', 'my town', '--name', 'hq town']);
    const root = join(base, 'my town');
    expect(r).toMatchObject({ root, name: 'hq town', created: true, git: false });
    expect(readdirSync(root).sort()).toEqual(['.beads', '.runtime', 'mayor', 'settings', 'town.json']);
    const meta = JSON.parse(readFileSync(join(root, 'town.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'hq town', version: 1 });
    expect(Date.parse(String(meta.created))).toBeGreaterThan(0);
    const settings = JSON.parse(readFileSync(join(root, 'settings', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(settings).toMatchObject({ version: 1, default_agent: 'claude', agents: {}, role_agents: {} });
    expect(readFileSync(join(root, '.beads', 'config.toml'), 'utf8')).toMatch(/prefix = "hq"/);

    // The town store answers from anywhere inside the town, with the hq prefix.
    mkdirSync(join(root, 'mayor', 'deep dir'));
    const bead = gtJson<{ id: string }>(join(root, 'mayor', 'deep dir'), ['bd', 'create', 'town work']);
    expect(bead.id).toMatch(/^hq-/);

    const before = snapshotTree(root);
    const again = gt(root, ['install', '.']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/complete; nothing changed/);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('repairs what is missing and leaves the rest alone', () => {
    const base = temp();
    const root = join(base, 'town');
    gtJson(base, ['install', root]);
    rmSync(join(root, 'mayor'), { recursive: true });
    rmSync(join(root, 'settings', 'config.json'));
    rmSync(join(root, '.runtime'), { recursive: true });
    const townJson = snapshotTree(root, (p) => p !== 'town.json');
    const r = gtJson<Installed>(base, ['install', root, '--name', 'other']);
    expect(r.created).toBe(false);
    expect(r.added.sort()).toEqual(['.runtime/', 'mayor/', 'settings/config.json']);
    expect(snapshotTree(root, (p) => p !== 'town.json')).toEqual(townJson);
    expect(existsSync(join(root, 'settings', 'config.json'))).toBe(true);
  });

  it('--git makes a repository with .gitignore, the ledger merge driver and one commit; a second run changes nothing', () => {
    const base = temp();
    const root = join(base, 'git town');
    const r = gtJson<Installed>(base, ['install', root, '--git']);
    expect(r.git).toBe(true);
    const ignore = readFileSync(join(root, '.gitignore'), 'utf8');
    for (const l of ['.runtime/', '.beads/beads.db*', '/*/.repo.git/', '/*/polecats/', '/*/crew/', '/*/refinery/'])
      expect(ignore).toContain(l);
    expect(readFileSync(join(root, '.gitattributes'), 'utf8')).toContain('.beads/issues.jsonl merge=beads');
    expect(git(root, ['config', 'merge.beads.driver'])).toMatch(/merge-driver %O %A %B/);
    expect(git(root, ['rev-list', '--count', 'HEAD']).trim()).toBe('1');
    expect(git(root, ['status', '--porcelain'])).toBe('');
    expect(git(root, ['ls-files']).split('\n')).toEqual(
      expect.arrayContaining(['town.json', 'settings/config.json', '.beads/issues.jsonl']),
    );

    const before = snapshotTree(root);
    const again = gtJson<Installed>(root, ['install', '.', '--git']);
    expect(again.added).toEqual([]);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('refuses a non-empty directory that is not a town, and a town inside a town', () => {
    const base = temp();
    const dir = join(base, 'project');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = gt(base, ['install', dir]);
    expectFailure(r, 2, /is not empty and is not a town/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    gtJson(base, ['install', 'outer']);
    expectFailure(gt(base, ['install', join('outer', 'inner')]), 2, /inside the town at/);
    expect(existsSync(join(base, 'outer', 'inner'))).toBe(false);
  });

  it('suggests a cd line that is safe to paste for any path: quotes, $, backticks, spaces, line breaks', () => {
    const base = temp();
    const dir = `it's "a" $HOME \`touch pwned\` $(touch pwned2)\nline two`;
    const r = gt(base, ['install', dir, '--name', 'odd']);
    expect(r.code, r.stderr).toBe(0);
    const cd = /^Next: (cd [\s\S]*) && gt rig add /m.exec(r.stdout)?.[1];
    expect(cd, r.stdout).toBeDefined();
    const sh = spawnSync('sh', ['-c', `${cd} && pwd`], { cwd: base, encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
    expect(sh.stdout).toBe(`${join(base, dir)}\n`);
    expect(existsSync(join(base, 'pwned'))).toBe(false);
    expect(existsSync(join(base, 'pwned2'))).toBe(false);
  });

  it('reports a corrupt settings file by file and key and never rewrites it', () => {
    const base = temp();
    const root = join(base, 'town');
    gtJson(base, ['install', root]);
    const path = join(root, 'settings', 'config.json');
    const bad = '{ "version": 1, "caps": { "polecats_per_rig": "many" } }\n';
    writeFileSync(path, bad);
    const install = gt(base, ['install', root]);
    expectFailure(install, 1, /settings\/config\.json: key "caps\.polecats_per_rig": expected number/);
    expect(install.stderr).toContain(path);
    expectFailure(gt(root, ['config', 'show']), 1, /key "caps\.polecats_per_rig"/);
    writeFileSync(path, '{ "default_agent": "claude", }');
    expectFailure(gt(root, ['rig', 'list']), 1, /config\.json: not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('{ "default_agent": "claude", }');
  });

  it('says clearly when git is missing and creates nothing', () => {
    const base = temp();
    const empty = join(base, 'empty bin');
    mkdirSync(empty);
    const r = gt(base, ['install', 'town', '--git'], { env: { PATH: empty } });
    expectFailure(r, 1, /git is not installed or not on PATH/);
    expect(existsSync(join(base, 'town'))).toBe(false);
  });
});
