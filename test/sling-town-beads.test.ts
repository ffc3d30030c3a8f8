// Town-level beads and rig work (issue 14): the town's own hq- beads are refused for a rig unless --force, with the
// way to file rig work in the same line; `bd create --rig <rig>` files it with the rig's prefix from anywhere in the
// town (as the Mayor's prompt says), and `--prefix` chooses one outright.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface Slung {
  results: { bead: string; status: string; reason?: string }[];
}

describe('slinging town-level beads', () => {
  let town = '';
  let cleanup = (): void => {};

  beforeAll(() => {
    const t = tempDir('gt town beads');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'myrig', join(t.dir, 'app src')]);
  }, 60_000);
  afterAll(() => cleanup());

  it('refuses an hq- bead for a rig in one line naming bd create --rig; --force slings it anyway', () => {
    const hq = gtJson<{ id: string }>(town, ['bd', 'create', 'Plan the quarter']).id;
    expect(hq).toMatch(/^hq-/);
    const r = gt(town, ['sling', hq, 'myrig', '--dry-run']);
    expectFailure(r, 1, new RegExp(`${hq} is a town-level bead \\(prefix hq-\\), not work for rig myrig`));
    expect(r.stderr).toContain('bd create "<title>" --rig myrig');
    const forced = gtJson<Slung>(town, ['sling', hq, 'myrig', '--dry-run', '--force']);
    expect(forced.results[0]).toMatchObject({ bead: hq, status: 'started' });
  });

  it("bd create --rig files rig work with the rig's prefix from the town root; the sling goes through", () => {
    const prefix = gtJson<{ prefix: string }>(town, ['rig', 'show', 'myrig']).prefix;
    const id = gtJson<{ id: string }>(town, ['bd', 'create', 'Fix the login', '--rig', 'myrig']).id;
    expect(id.startsWith(`${prefix}-`)).toBe(true);
    expect(gtJson<Slung>(town, ['sling', id, 'myrig', '--dry-run']).results[0]).toMatchObject({ bead: id });
    expect(gtJson<{ id: string }>(town, ['bd', 'create', 'Elsewhere', '--prefix', 'ops']).id).toMatch(/^ops-/);
    expectFailure(gt(town, ['bd', 'create', 'X', '--rig', 'nosuch']), 2, /--rig nosuch: the town has no rig "nosuch"/);
    expectFailure(gt(town, ['bd', 'create', 'X', '--rig', 'myrig', '--prefix', 'ops']), 2, /--rig and --prefix/);
  });
});
