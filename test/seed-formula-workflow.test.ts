// Seed 002's "Formula Workflow", literally: the release formula of the seed (steps with descriptions, no `run`)
// committed in the project's .beads/formulas/, then the seed's commands as written: `bd formula list`, `bd cook
// release --var version=1.2.0`, `bd mol pour release --var version=1.2.0`, and `gt sling release myrig --var
// version=1.2.0`, which hooks the molecule just poured to a polecat. The polecat (the sim runtime, in real tmux on a
// private socket) works it step by step, closing each step bead in order, then runs gt done; the refinery lands it.
// `bd mol run` on such a molecule says which step needs an agent.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-seed-formula-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_SIM_POLL_MS: '1000' };
const SEED_RELEASE = readFileSync(resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml'), 'utf8');

interface Step {
  id: string;
  step: string;
  status: string;
}
interface Mol {
  id: string;
  done: number;
  total: number;
  steps: Step[];
}

describe("seed 002's Formula Workflow", () => {
  let town = '';
  let rig = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });

  beforeAll(() => {
    const t = tempDir('gt seed formula');
    cleanup = t.cleanup;
    town = join(t.dir, 'town');
    gtJson(t.dir, ['install', town]);
    sourceRepo(join(t.dir, 'myrig src'), 'main', {
      'README.md': '# myrig\n',
      '.beads/formulas/release.formula.toml': SEED_RELEASE,
    });
    gtJson(town, ['rig', 'add', 'myrig', join(t.dir, 'myrig src')]);
    expect(gt(town, ['config', 'default-agent', 'sim']).code).toBe(0);
    rig = join(town, 'myrig');
  }, 60_000);
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('list, cook, pour, sling: a polecat closes each step bead in order, then gt done; the release lands', async () => {
    // Execute: (the seed's block, in the rig's directory)
    expect(gt(rig, ['bd', 'formula', 'list']).stdout).toMatch(/release.*Standard release process/);
    const cooked = gt(rig, ['bd', 'cook', 'release', '--var', 'version=1.2.0']);
    expect(cooked.code, cooked.stderr).toBe(0);
    expect(cooked.stdout).toContain('Run ./scripts/bump-version.sh 1.2.0');
    const poured = gt(rig, ['bd', 'mol', 'pour', 'release', '--var', 'version=1.2.0']);
    expect(poured.code, poured.stderr).toBe(0);
    const mol = /Poured molecule (\S+):/.exec(poured.stdout)![1]!;
    expect(mol).toMatch(/^myrig-/);

    // None of its steps has a `run` command: bd mol run says the first one needs a person or an agent.
    const run = gt(rig, ['bd', 'mol', 'run', mol]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Stopped at step ${mol}.1 "Bump version": it has no run command, so it needs a person or an agent.`,
    );

    const slung = gt(town, ['sling', 'release', 'myrig', '--var', 'version=1.2.0'], { env });
    expect(slung.code, slung.stderr).toBe(0);
    expect(slung.stdout).toContain(`Slinging ${mol}, already poured from formula release with the same variables`);

    let shown: Mol | undefined;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      shown = gtJson<Mol>(rig, ['bd', 'mol', 'show', mol]);
      const hook = gtJson<{ polecat: { hook_state: string } | null }>(town, ['hook', 'show', polecatOf(slung.stdout)]);
      if (shown.done === shown.total && hook.polecat?.hook_state === 'completed') break;
    }
    expect(shown).toMatchObject({ done: 5, total: 5 });
    // In order: each step was closed before the next one was.
    const closedAt = shown!.steps.map((s) => gtJson<{ closed_at: string }[]>(rig, ['bd', 'show', s.id])[0]!.closed_at);
    expect([...closedAt].sort()).toEqual(closedAt);
    expect(shown!.steps.map((s) => s.step)).toEqual(['bump-version', 'run-tests', 'build', 'create-tag', 'publish']);

    expect(gt(town, ['refinery', 'run', 'myrig'], { env }).code).toBe(0);
    const landed = git(join(town, 'myrig', '.repo.git'), ['ls-tree', '-r', '--name-only', 'main']);
    for (let i = 1; i <= 5; i++) expect(landed).toContain(`SIM-${mol}.${i}.md`);
    expect(git(join(town, 'myrig', '.repo.git'), ['show', `main:SIM-${mol}.4.md`])).toContain(
      "Run git tag -a v1.2.0 -m 'Release v1.2.0'",
    );
  }, 150_000);
});

function polecatOf(slingOut: string): string {
  return /to (myrig\/\S+) on/.exec(slingOut)![1]!;
}
