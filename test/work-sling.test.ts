// gt sling end to end in real git and tmux (private socket) with a stand-in agent: hooking, re-slings, bad input,
// force, dry runs, caps and the sling queue, batches with a convoy, formulas.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-sling-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome {
  bead: string;
  status: string;
  polecat?: string;
  reason?: string;
  branch?: string;
  worktree?: string;
  elapsedMs?: number;
  dryRun?: boolean;
}
interface Result {
  results: Outcome[];
  drained: Outcome[];
  convoy?: string;
  formula?: { name: string; molecule: string };
}
interface Bead {
  id: string;
  status: string;
  assignee?: string;
  issue_type: string;
}

describe('gt sling', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string): string => gtJson<Bead>(town, ['bd', 'create', '--rig', 'app', title]).id;
  const show = (id: string): Bead => gtJson<Bead[]>(town, ['bd', 'show', id])[0]!;
  const slingJson = (args: string[]): Result =>
    JSON.parse(gt(town, ['sling', ...args, '--agent', 'fake', '--json'], { env }).stdout) as Result;

  beforeAll(() => {
    const t = tempDir('gt sling');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { caps: { polecats_per_rig: 4, polecats_per_town: 12 } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n', '.worktreeinclude': '.env.local\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
    writeFileSync(join(town, 'app', 'refinery', '.env.local'), 'SECRET=1\n');
    mkdirSync(join(town, '.beads', 'formulas'), { recursive: true });
    copyFileSync(
      resolve(import.meta.dirname, 'fixtures/formulas/release.formula.toml'),
      join(town, '.beads', 'formulas', 'release.formula.toml'),
    );
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  let first = '';

  it('hooks one bead to a new polecat: worktree on its branch, session started, bead hooked', async () => {
    first = bead('Write the greeting');
    const r = slingJson([first, 'app']);
    const o = r.results[0]!;
    expect(o).toMatchObject({
      bead: first,
      status: 'started',
      polecat: 'app/furiosa',
      branch: `polecat/furiosa/${first}`,
    });
    expect(o.worktree).toBe(join(town, 'app', 'polecats', 'furiosa'));
    expect(readFileSync(join(o.worktree!, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(o.worktree!, '.env.local'), 'utf8')).toBe('SECRET=1\n');
    expect(await tmux.hasSession('app-furiosa')).toBe(true);
    expect(show(first)).toMatchObject({ status: 'hooked', assignee: 'app/furiosa' });
    const hook = gtJson<{ address: string; bead: Bead; polecat: { branch: string; hook_state: string } }>(
      town,
      ['hook', 'app/furiosa'],
      { env },
    );
    expect(hook).toMatchObject({
      address: 'app/furiosa',
      bead: { id: first, status: 'hooked' },
      polecat: { branch: `polecat/furiosa/${first}`, hook_state: 'active' },
    });
    expect(
      gtJson<{ hooked_bead: string | null; address: string }[]>(town, ['agents', '--all'], { env }).find(
        (a) => a.address === 'app/furiosa',
      ),
    ).toMatchObject({ hooked_bead: first });
    // Whoever asks from inside the session (GT_ADDRESS) gets the same view.
    expect(gtJson<{ bead: Bead }>(town, ['hook'], { env: { ...env, GT_ADDRESS: 'app/furiosa' } }).bead.id).toBe(first);
    console.log(`sling of one bead: ${o.elapsedMs} ms inside gt (worktree + session to ready prompt)`);
  });

  it('does nothing when the same bead is slung to the same target again', () => {
    const r = gt(town, ['sling', first, 'app', '--agent', 'fake'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already on app\/furiosa's hook; nothing to do/);
    expect(slingJson([first, 'app/furiosa']).results[0]).toMatchObject({ status: 'already', polecat: 'app/furiosa' });
  });

  it('refuses unknown, closed and already-hooked beads and unknown rigs, with clear messages', () => {
    expectFailure(gt(town, ['sling', 'hq-nope', 'app', '--agent', 'fake'], { env }), 1, /no bead hq-nope/);
    const closed = bead('Old news');
    gtJson(town, ['bd', 'close', closed]);
    expectFailure(gt(town, ['sling', closed, 'app', '--agent', 'fake'], { env }), 1, new RegExp(`${closed} is closed`));
    expectFailure(
      gt(town, ['sling', first, 'app/nux', '--agent', 'fake'], { env }),
      1,
      new RegExp(`${first} is already hooked by app/furiosa`),
    );
    expectFailure(gt(town, ['sling', first, 'nowhere', '--agent', 'fake'], { env }), 2, /no rig named "nowhere"/);
    expect(show(first)).toMatchObject({ status: 'hooked', assignee: 'app/furiosa' });
  });

  it('moves a hooked bead to another polecat with force, stopping the old worker first', async () => {
    const r = slingJson([first, 'app/nux', '--force']);
    expect(r.results[0]).toMatchObject({ status: 'started', polecat: 'app/nux' });
    expect(await tmux.hasSession('app-furiosa')).toBe(false);
    expect(await tmux.hasSession('app-nux')).toBe(true);
    expect(show(first)).toMatchObject({ status: 'hooked', assignee: 'app/nux' });
    const furiosa = gtJson<{ state: string; bead: string | null }>(town, ['polecat', 'status', 'app/furiosa'], { env });
    expect(furiosa).toMatchObject({ state: 'idle', bead: null });
  });

  it('says what a dry run would do and changes nothing', () => {
    const id = bead('Maybe later');
    const before = [show(id), gtJson(town, ['polecat', 'list'], { env })];
    const r = slingJson([id, 'app', '--dry-run']);
    expect(r.results[0]).toMatchObject({
      status: 'started',
      dryRun: true,
      reason: expect.stringContaining('would hook'),
    });
    expect([show(id), gtJson(town, ['polecat', 'list'], { env })]).toEqual(before);
  });

  it('gives a batch one polecat per bead (reusing the idle one, its setup run again) and one convoy', () => {
    const rigJson = join(town, 'app', 'rig.json');
    const rig = readFileSync(rigJson, 'utf8');
    const log = join(base, 'setup runs.log');
    writeFileSync(
      rigJson,
      JSON.stringify({ ...JSON.parse(rig), gates: { setup: { command: `pwd >> '${log}'` } } }, null, 2),
    );
    const ids = [bead('Batch one'), bead('Batch two')];
    const r = slingJson([...ids, 'app']);
    writeFileSync(rigJson, rig);
    expect(r.results.map((o) => o.status)).toEqual(['started', 'started']);
    expect(r.results.map((o) => o.polecat).sort()).toEqual(['app/furiosa', 'app/slit']);
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(r.results.map((o) => o.worktree!).sort());
    expect(r.convoy).toMatch(/^hq-/);
    const [convoy] = gtJson<{ issue_type: string; dependencies: { depends_on_id: string; type: string }[] }[]>(town, [
      'bd',
      'show',
      r.convoy!,
    ]);
    expect(convoy!.issue_type).toBe('convoy');
    expect(
      convoy!.dependencies
        .filter((d) => d.type === 'tracks')
        .map((d) => d.depends_on_id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('pours a formula and hooks the molecule', () => {
    const r = slingJson(['release', 'app', '--var', 'version=1.2.0']);
    expect(r.formula?.name).toBe('release');
    expect(r.formula!.molecule).toMatch(/^app-/); // rig work gets the rig's prefix, not the town's hq-
    const mol = show(r.formula!.molecule);
    expect(mol).toMatchObject({ issue_type: 'molecule', status: 'hooked', assignee: r.results[0]!.polecat });
  });

  it('queues slings beyond the cap and starts them when a slot frees', async () => {
    const waiting = bead('Waits for a slot');
    const q = slingJson([waiting, 'app']);
    expect(q.results[0]).toMatchObject({ status: 'queued', reason: expect.stringContaining('cap 4') });
    expect(show(waiting).status).toBe('open');
    const un = gtJson<{ polecat: string; session_stopped: boolean }>(town, ['unsling', first], { env });
    expect(un).toMatchObject({ polecat: 'app/nux', session_stopped: true });
    expect(show(first)).toMatchObject({ status: 'open' });
    expect(show(first).assignee).toBeUndefined();
    expect(await tmux.hasSession('app-nux')).toBe(false);
    // The next sling drains the queue first: the waiting bead gets the free slot.
    const r = slingJson([waiting, 'app']);
    expect(r.drained[0]).toMatchObject({ bead: waiting, status: 'started' });
    expect(r.results[0]).toMatchObject({ status: 'already' });
    expect(show(waiting).status).toBe('hooked');
    expect(existsSync(join(town, 'app', 'polecats', 'nux'))).toBe(true);
  });
});
