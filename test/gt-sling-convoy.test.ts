// Gas Town's auto-convoy for a lone `gt sling` (so `gt convoy list` shows all work in flight), and the refusal to
// sling the town's own records (escalations) to a rig, in real git and tmux (private socket) with a stand-in agent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-sling-convoy-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome {
  bead: string;
  status: string;
  reason?: string;
}
interface Result {
  results: Outcome[];
  convoy?: string;
}
interface Convoy {
  id: string;
  title: string;
  fed: boolean;
  tracked: { id: string }[];
}

describe('gt sling: a convoy for lone work, and no town records in a rig', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string): string =>
    gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', '--title', title]).id;
  const sling = (args: string[]): Result => gtJson<Result>(town, ['sling', ...args, '--agent', 'fake'], { env });
  const convoys = (): Convoy[] => gtJson<Convoy[]>(town, ['convoy', 'list']);

  beforeAll(() => {
    const t = tempDir('gt sling convoy');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { caps: { polecats_per_rig: 10, polecats_per_town: 12 } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  }, 120_000);
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('a lone sling gets a convoy "Work: <title>" (tracked, not fed), listed with the work in flight; slinging it again makes no second one', () => {
    const id = bead('--help is ignored by the parser');
    const r = sling([id, 'app']);
    expect(r.results[0]).toMatchObject({ bead: id, status: 'started' });
    expect(r.convoy).toMatch(/^hq-/);
    const c = convoys().find((x) => x.id === r.convoy)!;
    expect(c).toMatchObject({ title: 'Work: --help is ignored by the parser', fed: false });
    expect(c.tracked.map((t) => t.id)).toEqual([id]);
    expect(gt(town, ['sling', id, 'app', '--agent', 'fake'], { env }).stdout).toMatch(/nothing to do/);
    expect(convoys().filter((x) => x.tracked.some((t) => t.id === id))).toHaveLength(1);
    const text = gt(town, ['sling', bead('Text output'), 'app', '--agent', 'fake'], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Convoy hq-\S+ tracks it \(gt convoy show hq-\S+\)$/m);
  }, 120_000);

  it('no convoy with --no-convoy, on a dry run, or for a bead an open convoy already tracks; add-issue still finds the convoy a person made', () => {
    const before = convoys().length;
    expect(sling([bead('No convoy please'), 'app', '--no-convoy']).convoy).toBeUndefined();
    expect(
      gtJson<Result>(town, ['sling', bead('Only a dry run'), 'app', '--agent', 'fake', '--dry-run']).convoy,
    ).toBeUndefined();
    expect(convoys()).toHaveLength(before);
    // The seeds' manual flow: create, add-issue (the latest convoy a person made), sling by hand.
    const mine = gtJson<Convoy>(town, ['convoy', 'create', 'Bug Fixes', '--human']);
    const tracked = bead('Bug 101');
    sling([bead('Something else'), 'app']);
    expect(gtJson<{ convoy: { id: string } }>(town, ['convoy', 'add-issue', tracked]).convoy.id).toBe(mine.id);
    expect(sling([tracked, 'app']).convoy).toBeUndefined();
    expect(gtJson<Convoy>(town, ['convoy', 'show']).id).toBe(mine.id);
  }, 120_000);

  it('refuses an escalation slung to a rig, in one line, changing nothing; the force option slings it', () => {
    const esc = gtJson<{ bead: string }>(town, ['escalate', 'the build is red']).bead;
    const before = convoys().length;
    expectFailure(
      gt(town, ['sling', esc, 'app', '--agent', 'fake'], { env }),
      1,
      new RegExp(`${esc} is an escalation, a town-level record, not work for rig app`),
    );
    expect(gtJson<{ status: string }[]>(town, ['bd', 'show', esc])[0]!.status).toBe('open');
    expect(convoys()).toHaveLength(before);
    expect(sling([esc, 'app', '--force']).results[0]).toMatchObject({ bead: esc, status: 'started' });
    // Ordinary town-store work (what the Mayor files) is still slung as before.
    expect(sling([bead('Plain work'), 'app']).results[0]!.status).toBe('started');
  }, 120_000);
});
