// gt escalate list|show|ack|close through the CLI from source, with a polecat (the fake agent, real tmux on a private
// socket) whose hook the escalation suspended: open escalations in gt status's problems, ack resumes the hook.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { createDashboard } from '../src/dashboard/index.ts';
import { loadTown } from '../src/town/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-escalations-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Escalation {
  id: string;
  status: string;
  severity: string;
  from: string;
  about: string | null;
  acked: { by: string; note: string | null } | null;
  hook_suspended: boolean;
  close_reason: string | null;
}
interface Settled {
  escalation: Escalation;
  resumed: { status: string; how: string; was: string } | null;
}

describe('gt escalate list, show, ack and close', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string): string => gtJson<{ id: string }>(town, ['bd', 'create', '--rig', 'app', title]).id;
  const hookState = (p: string): string =>
    gtJson<{ hook_state: string }>(town, ['polecat', 'status', p], { env }).hook_state;
  const log = (session: string): string =>
    existsSync(join(base, `${session}.log`)) ? readFileSync(join(base, `${session}.log`), 'utf8') : '';

  beforeAll(() => {
    const t = tempDir('gt escalations');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'my town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { role_agents: { polecat: 'fake' } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('lists an open escalation, shows it in gt status and dashboard problems, acks it (the hook works again) and closes it', async () => {
    const work = bead('Migrate the schema');
    const p = gtJson<{ results: { polecat: string }[] }>(town, ['sling', work, 'app'], { env }).results[0]!.polecat;
    const session = `app-${p.split('/')[1]}`;
    const raised = gtJson<{ bead: string; suspended: boolean }>(
      town,
      ['escalate', 'Which schema version?', '--from', p, '-s', 'high'],
      { env },
    );
    expect(raised.suspended).toBe(true);
    const other = gtJson<{ bead: string }>(town, ['escalate', 'Disk is almost full', '-s', 'low']).bead;

    const list = gtJson<Escalation[]>(town, ['escalate', 'list']);
    expect(list.map((e) => e.id)).toEqual([raised.bead, other]);
    expect(list[0]).toMatchObject({
      severity: 'high',
      status: 'open',
      from: p,
      about: work,
      acked: null,
      hook_suspended: true,
    });
    expect(gt(town, ['escalate', 'list']).stdout).toContain(
      `${raised.bead}  high     open   ${p} about ${work} (hook suspended): Which schema version?`,
    );
    expect(gt(town, ['escalate', 'show', raised.bead]).stdout).toMatch(
      /Which schema version\?\n\nFrom: .*\nSeverity: high/,
    );

    const status = gt(town, ['status'], { env }).stdout;
    expect(status).toContain(
      `! escalation ${raised.bead} (high) from ${p} about ${work}: Which schema version? (its hook is suspended: gt escalate ack ${raised.bead}`,
    );
    expect(
      gtJson<{ problems: { kind: string; subject: string }[] }>(town, ['status'], { env })
        .problems.filter((x) => x.kind === 'escalation-open')
        .map((x) => x.subject)
        .sort(),
    ).toEqual([raised.bead, other].sort());
    // The dashboard's Problems panel reads the same list.
    const dash = createDashboard(loadTown(town, { PATH: process.env.PATH ?? '', GT_TMUX_SOCKET: SOCKET }), {
      heartbeatMs: 15_000,
    });
    try {
      const r = await dash.app.request('/api/problems', { headers: { authorization: `Bearer ${dash.token}` } });
      const problems = ((await r.json()) as { problems: { kind: string; subject: string; message: string }[] })
        .problems;
      expect(problems.find((x) => x.kind === 'escalation-open' && x.subject === raised.bead)?.message).toContain(
        'its hook is suspended',
      );
    } finally {
      dash.close();
    }

    const ack = gtJson<Settled>(town, ['escalate', 'ack', raised.bead, '-m', 'take version 3'], { env });
    expect(ack.escalation).toMatchObject({ status: 'open', acked: { note: 'take version 3' }, hook_suspended: false });
    expect(ack.resumed).toMatchObject({ status: 'resumed', was: 'suspended', how: 'nudged' });
    expect(hookState(p)).toBe('active');
    expect(log(session)).toContain('take version 3');
    expect(gt(town, ['escalate', 'list']).stdout).toMatch(new RegExp(`${raised.bead} {2}high {5}acked`));

    const closed = gt(town, ['escalate', 'close', raised.bead, '-r', 'version 3 it is'], { env });
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stdout).toBe(`Closed ${raised.bead}: version 3 it is\n`);
    expect(gtJson<Escalation[]>(town, ['escalate', 'list']).map((e) => e.id)).toEqual([other]);
    expect(gtJson<Escalation[]>(town, ['escalate', 'list', '--all']).find((e) => e.id === raised.bead)).toMatchObject({
      status: 'closed',
      close_reason: 'version 3 it is',
    });
    expect(gt(town, ['status'], { env }).stdout).not.toContain(`! escalation ${raised.bead}`);
  });

  it('closing an escalation whose polecat is stopped starts it again on its hook', async () => {
    const work = bead('Needs an answer');
    const p = gtJson<{ results: { polecat: string }[] }>(town, ['sling', work, 'app'], { env }).results[0]!.polecat;
    const esc = gtJson<{ bead: string }>(town, ['escalate', 'Blocked on credentials', '--from', p], { env }).bead;
    gtJson(town, ['polecat', 'stop', p], { env });
    expect(await tmux.hasSession(`app-${p.split('/')[1]}`)).toBe(false);
    const r = gtJson<Settled>(town, ['escalate', 'close', esc, '-r', 'credentials are in the vault'], { env });
    expect(r.resumed).toMatchObject({ status: 'resumed', how: 'started' });
    expect(await tmux.hasSession(`app-${p.split('/')[1]}`)).toBe(true);
    expect(hookState(p)).toBe('active');
  });

  it('garbage input: unknown ids, beads that are not escalations, closed ones, missing reasons, flag-looking ids', () => {
    const plain = bead('Not an escalation');
    const closed = gtJson<Escalation[]>(town, ['escalate', 'list', '--all']).find((e) => e.status === 'closed')!.id;
    for (const sub of ['show', 'ack']) {
      expectFailure(gt(town, ['escalate', sub, 'hq-nosuch']), 2, /no escalation "hq-nosuch"/);
      expectFailure(gt(town, ['escalate', sub, plain]), 2, new RegExp(`${plain} is not an escalation`));
      expectFailure(gt(town, ['escalate', sub, 'no such id']), 2, /no escalation "no such id"/);
    }
    expectFailure(gt(town, ['escalate', 'ack', closed]), 2, new RegExp(`escalation ${closed} is closed already`));
    expectFailure(
      gt(town, ['escalate', 'close', closed, '-r', 'again']),
      2,
      new RegExp(`escalation ${closed} is closed already`),
    );
    expectFailure(gt(town, ['escalate', 'close', plain]), 2, /required option '-r, --reason <text>' not specified/);
    expectFailure(gt(town, ['escalate', 'close', plain, '-r', '  ']), 2, /needs what was decided/);
    expectFailure(gt(town, ['escalate', 'show', '--', '--all']), 2, /no escalation "--all"/);
    // Raising one still takes free words.
    expect(gtJson<{ bead: string }>(town, ['escalate', 'The', 'build', 'is', 'red']).bead).toMatch(/^hq-/);
  });
});
