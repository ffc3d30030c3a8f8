// gt hook attach|detach through the CLI from source: work put on a crew member's or an idle polecat's hook without
// starting anyone, and taken off again; the polecat then starts on it with gt polecat start (real tmux, fake agent).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-attach-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Hook {
  address: string;
  bead: { id: string; status: string } | null;
}

describe('gt hook attach and detach', () => {
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string): string => gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', title]).id;
  const show = (id: string): { status: string; assignee?: string } =>
    gtJson<{ status: string; assignee?: string }[]>(town, ['bd', 'show', id])[0]!;

  beforeAll(() => {
    const t = tempDir('gt attach');
    cleanup = t.cleanup;
    town = join(t.dir, 'my town');
    gtJson(t.dir, ['install', town]);
    addFakeAgent(town, t.dir, { settings: { role_agents: { polecat: 'fake' } } });
    sourceRepo(join(t.dir, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(t.dir, 'app src')]);
    gtJson(town, ['crew', 'add', 'alice', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it("attaches a bead to a crew member's hook and detaches it, starting nobody", async () => {
    const id = bead('For alice');
    const r = gt(town, ['hook', 'attach', id, 'app/crew/alice']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`Attached ${id} to app/crew/alice's hook\n`);
    expect(show(id)).toMatchObject({ status: 'hooked', assignee: 'app/crew/alice' });
    expect(gtJson<Hook>(town, ['hook', 'app/crew/alice']).bead?.id).toBe(id);
    expect((await tmux.listSessions().catch(() => [])).length).toBe(0);
    expectFailure(
      gt(town, ['hook', 'attach', id, 'app/crew/alice']),
      2,
      new RegExp(`${id} is already on app/crew/alice's hook`),
    );
    expectFailure(
      gt(town, ['hook', 'attach', bead('Second'), 'app/crew/alice']),
      2,
      new RegExp(`app/crew/alice's hook holds ${id} already`),
    );
    // From inside the crew member's session, the target defaults to them.
    expect(gt(town, ['hook', 'detach', id], { env: { GT_ADDRESS: 'app/crew/alice' } }).stdout).toBe(
      `Detached ${id} from app/crew/alice's hook: it is open and unassigned\n`,
    );
    expect(show(id).status).toBe('open');
    expect(show(id).assignee).toBeUndefined();
    expect(gtJson<Hook>(town, ['hook', 'app/crew/alice']).bead).toBeNull();
  });

  it('attaches a bead to an idle polecat on a new branch, left stopped until gt polecat start', async () => {
    const first = bead('Makes the polecat');
    const p = gtJson<{ results: { polecat: string }[] }>(town, ['sling', first, 'app'], { env }).results[0]!.polecat;
    const name = p.split('/')[1]!;
    gtJson(town, ['unsling', first], { env });
    const id = bead('Attached by hand');
    const r = gtJson<{ branch: string }>(town, ['hook', 'attach', id, p], { env });
    expect(r.branch).toBe(`polecat/${name}/${id}`);
    expect(git(join(town, 'app', 'polecats', name), ['branch', '--show-current']).trim()).toBe(`polecat/${name}/${id}`);
    expect(
      gtJson<{ state: string; bead: string; running: boolean }>(town, ['polecat', 'status', p], { env }),
    ).toMatchObject({ state: 'stopped', bead: id, running: false });
    expect(gtJson<{ status: string; hook: string }>(town, ['polecat', 'start', p], { env })).toMatchObject({
      status: 'started',
      hook: id,
    });
    expect(await tmux.hasSession(`app-${name}`)).toBe(true);
    const d = gtJson<{ session_stopped: boolean }>(town, ['hook', 'detach', id, p], { env });
    expect(d.session_stopped).toBe(true);
    expect(show(id).status).toBe('open');
  });

  it('garbage input: no hook for the overseer, unknown beads and polecats, beads not on the hook', () => {
    const id = bead('Nobody has it');
    expectFailure(gt(town, ['hook', 'attach', id]), 2, /"overseer" has no hook/);
    expectFailure(gt(town, ['hook', 'attach', 'hq-nosuch', 'mayor']), 1, /no bead matches "hq-nosuch"/);
    expectFailure(gt(town, ['hook', 'attach', id, 'app/nobody']), 2, /no polecat "app\/nobody"/);
    expectFailure(gt(town, ['hook', 'attach', id, 'no such rig/x']), 2, /no such rig|not/);
    expectFailure(gt(town, ['hook', 'detach', id, 'mayor']), 2, new RegExp(`${id} is not on mayor's hook`));
    expectFailure(gt(town, ['hook', 'attach', '--', '--all', 'mayor']), 2, /"--all" is not a bead id/);
  });
});
