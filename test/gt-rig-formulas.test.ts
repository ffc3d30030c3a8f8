// A rig repository's own .beads/formulas inside a town (seed 002's release formula, verbatim, committed in the
// project): bd finds it in the rig's clones and directory before the town's folder, and gt sling to the rig pours it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SEED_RELEASE = readFileSync(resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml'), 'utf8');

interface Listed {
  name: string;
  source: string;
  description: string;
  path: string;
}

describe("a rig's own .beads/formulas in a town", () => {
  let base = '';
  let town = '';
  let clone = '';
  let pouredId = '';
  let cleanup = (): void => {};

  beforeAll(() => {
    const t = tempDir('gt rig formulas');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    sourceRepo(join(base, 'app src'), 'main', {
      'a.txt': 'a\n',
      '.beads/formulas/release.formula.toml': SEED_RELEASE,
      '.beads/formulas/hotfix.formula.toml':
        'description = "Rig hotfix"\nformula = "hotfix"\nversion = 1\n[[steps]]\nid = "fix"\ntitle = "Fix it"\n',
    });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'me', '--rig', 'app']);
    clone = join(town, 'app', 'crew', 'me');
    // The town has a formula of the same name: inside the rig the rig's own one wins, at the town root the town's.
    mkdirSync(join(town, '.beads', 'formulas'), { recursive: true });
    writeFileSync(
      join(town, '.beads', 'formulas', 'release.formula.toml'),
      'description = "Town release"\nformula = "release"\nversion = 1\n[[steps]]\nid = "only"\ntitle = "Only step"\n',
    );
  }, 120_000);
  afterAll(() => cleanup());

  it("bd formula list/cook/mol pour in a crew clone and in the rig directory use the rig repository's formula", () => {
    for (const dir of [clone, join(town, 'app')]) {
      const listed = gtJson<Listed[]>(dir, ['bd', 'formula', 'list']).find((f) => f.name === 'release')!;
      expect(listed).toMatchObject({ source: 'rig', description: 'Standard release process' });
      expect(listed.path).toMatch(/[/\\]\.beads[/\\]formulas[/\\]release\.formula\.toml$/);
    }
    const cooked = gt(clone, ['bd', 'cook', 'release', '--var', 'version=1.2.0']);
    expect(cooked.code, cooked.stderr).toBe(0);
    expect(cooked.stdout).toMatch(/1\. bump-version: Bump version/);
    expect(cooked.stdout).toContain('Run ./scripts/bump-version.sh 1.2.0');
    expect(cooked.stdout).toContain("Run git tag -a v1.2.0 -m 'Release v1.2.0'");
    const poured = gtJson<{ molecule: { id: string; title: string }; steps: unknown[] }>(join(town, 'app'), [
      'bd',
      'mol',
      'pour',
      'release',
      '--var',
      'version=1.2.0',
    ]);
    expect(poured.steps).toHaveLength(5);
    pouredId = poured.molecule.id;
    // At the town root (no rig) the town's own formula is the one found.
    expect(gtJson<Listed[]>(town, ['bd', 'formula', 'list']).find((f) => f.name === 'release')).toMatchObject({
      source: 'project',
      description: 'Town release',
    });
  });

  it("gt sling <formula> <rig> pours the rig's formula; a formula only another place has, or none, is refused in one line", () => {
    const dry = gtJson<{ formula: { name: string }; results: { reason: string }[] }>(town, [
      'sling',
      'release',
      'app',
      '--var',
      'version=1.2.0',
      '--dry-run',
    ]);
    expect(dry.formula.name).toBe('release');
    // The molecule `bd mol pour` made above (same variables, nobody on it) is the one slung, not a second pour.
    expect(dry.results[0]!.reason).toBe(
      `would hook ${pouredId}, already poured from formula release, to a polecat of app`,
    );
    const other = gtJson<{ results: { reason: string }[] }>(town, [
      'sling',
      'release',
      'app',
      '--var',
      'version=1.3.0',
      '--dry-run',
    ]);
    expect(other.results[0]!.reason).toMatch(/would pour formula release/);
    // hotfix is only in the rig's repository: found for a sling to the rig, from the town root where bd does not see it.
    expect(gtJson<Listed[]>(town, ['bd', 'formula', 'list']).map((f) => f.name)).not.toContain('hotfix');
    expect(gtJson<{ formula: { name: string } }>(town, ['sling', 'hotfix', 'app', '--dry-run']).formula.name).toBe(
      'hotfix',
    );
    expectFailure(gt(town, ['sling', 'nosuch', 'app', '--dry-run']), 1, /nosuch/);
    expectFailure(gt(clone, ['bd', 'cook', 'release']), 2, /version/);
  });
});
