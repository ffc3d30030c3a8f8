// gt escalate (a bead plus mail to the Mayor and the overseer) and gt handoff (a note to self, an optional hook, a
// fresh restart that `gt prime` greets with the note), with a stand-in agent in real tmux on a private socket.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { addFakeAgent, expectFailure, gt, gtJson, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-handoff-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };
const asMayor = { ...env, GT_ADDRESS: 'mayor' };

interface Mail {
  id: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  type: string;
  priority: number;
  archived_at: string | null;
}
interface Handoff {
  address: string;
  mail: string;
  hooked: string | null;
  superseded: string[];
  restart: string;
  agent: string;
  log?: string;
}

async function until(check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('escalate and handoff', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const starts = (): number =>
    (readFileSync(join(base, 'hq-mayor.log'), 'utf8').match(/Run `gt prime` now/g) ?? []).length;

  beforeAll(() => {
    const t = tempDir('gt handoff');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { logVar: 'GT_AGENT_ENV_DIR' });
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it("escalates: a bead at the severity's priority, linked to the bead it is about, and mail to the Mayor and the overseer", () => {
    const about = gtJson<{ id: string }>(town, ['bd', 'create', 'Flaky login test'], { env }).id;
    const r = gtJson<{ bead: string; severity: string; priority: number; mail: string[]; related: string }>(
      town,
      ['escalate', 'npm test hangs on app since 10:02', '--severity', 'high', '--bead', about],
      { env: asMayor },
    );
    expect(r).toMatchObject({ severity: 'high', priority: 1, related: about });
    expect(r.mail.length).toBe(2);
    const [b] = gtJson<
      {
        title: string;
        priority: number;
        labels: string[];
        description: string;
        dependencies: { depends_on_id: string; type: string }[];
      }[]
    >(town, ['bd', 'show', r.bead], { env });
    expect(b).toMatchObject({ title: 'Escalation: npm test hangs on app since 10:02', priority: 1 });
    expect(b!.labels).toEqual(expect.arrayContaining(['escalation', 'severity:high']));
    expect(b!.description).toContain('From: mayor');
    expect(b!.dependencies).toEqual([expect.objectContaining({ depends_on_id: about, type: 'related' })]);
    for (const who of ['mayor', 'overseer']) {
      const m = gtJson<Mail[]>(town, ['mail', 'inbox', who], { env }).filter((x) => x.type === 'escalation');
      expect(m.length, who).toBe(1);
      expect(m[0]).toMatchObject({ from: 'mayor', subject: '[HIGH] npm test hangs on app since 10:02', priority: 1 });
      expect(m[0]!.body).toContain(r.bead);
    }
    const text = gt(town, ['escalate', 'disk', 'almost', 'full'], { env });
    expect(text.stdout).toMatch(/^Escalated \(medium, P2\) as hq-\w+; mailed mayor and overseer/);
  });

  it('refuses an unknown severity, an empty message and an unknown bead', () => {
    expectFailure(gt(town, ['escalate', 'x', '--severity', 'urgent'], { env }), 2, /severity "urgent" is not known/);
    expectFailure(gt(town, ['escalate', '  '], { env }), 2, /has no message/);
    expectFailure(gt(town, ['escalate', 'x', '--bead', 'hq-nope9'], { env }), 1, /no bead matches "hq-nope9"/);
  });

  it('hands off: mails the note to self, restarts the session fresh, and prime shows the note', async () => {
    gtJson(town, ['mayor', 'start', '--agent', 'fake'], { env });
    expect(starts()).toBe(1);
    const r = gtJson<Handoff>(town, ['handoff', '-m', 'Half way: tests written\nnext: make them pass'], {
      env: asMayor,
    });
    expect(r).toMatchObject({ address: 'mayor', restart: 'restarted', agent: 'fake', hooked: null });
    expect(starts()).toBe(2);
    expect(await tmux.hasSession('hq-mayor')).toBe(true);
    const mail = gtJson<Mail[]>(town, ['mail', 'inbox', 'mayor'], { env }).find((m) => m.id === r.mail)!;
    expect(mail).toMatchObject({
      from: 'mayor',
      to: 'mayor',
      type: 'handoff',
      subject: '🤝 HANDOFF: Half way: tests written',
    });
    const prime = gt(town, ['prime'], { env: asMayor }).stdout;
    expect(prime).toMatch(
      /## Handoff from your previous session[^\n]*\n🤝 HANDOFF: Half way: tests written\nHalf way: tests written\nnext: make them pass/,
    );
  });

  it('refuses a second handoff within two minutes, without suggesting to force it', () => {
    const r = gt(town, ['handoff', '-m', 'again'], { env: asMayor });
    expectFailure(r, 1, /mayor handed off \d+ s ago .*at least 2 minutes apart/);
  });

  it('from inside the session, a detached process restarts it; the newest note supersedes the older one', async () => {
    const r = gtJson<Handoff>(town, ['handoff', '--force', '-m', 'Second note'], {
      env: { ...asMayor, GT_SESSION: 'hq-mayor' },
    });
    expect(r.restart).toBe('scheduled');
    expect(r.superseded.length).toBe(1);
    await until(() => starts() === 3);
    await until(async () => gtJson<{ state: string }>(town, ['mayor', 'status'], { env }).state !== 'starting');
    expect(existsSync(r.log!)).toBe(true);
    expect(await tmux.hasSession('hq-mayor')).toBe(true);
    const prime = gt(town, ['prime'], { env: asMayor }).stdout;
    expect(prime).toContain('🤝 HANDOFF: Second note');
    expect(prime).not.toContain('Half way');
  });

  it('hooks a bead for the next session, and refuses closed beads and the overseer', () => {
    const b = gtJson<{ id: string }>(town, ['bd', 'create', 'Write the retry logic'], { env }).id;
    const r = gtJson<Handoff>(town, ['handoff', b, '--no-restart', '--force', '-m', 'Start on retries'], {
      env: asMayor,
    });
    expect(r).toMatchObject({ hooked: b, restart: 'skipped' });
    expect(gtJson<{ status: string; assignee: string }[]>(town, ['bd', 'show', b], { env })[0]).toMatchObject({
      status: 'hooked',
      assignee: 'mayor',
    });
    expect(gt(town, ['prime'], { env: asMayor }).stdout).toContain(`Hooked for you: ${b}`);
    const closed = gtJson<{ id: string }>(town, ['bd', 'create', 'Done already'], { env }).id;
    gtJson(town, ['bd', 'close', closed], { env });
    expectFailure(
      gt(town, ['handoff', closed, '--force', '--no-restart'], { env: asMayor }),
      2,
      new RegExp(`${closed} is closed`),
    );
    expectFailure(gt(town, ['handoff', '-m', 'x'], { env }), 2, /"overseer" is not a single agent/);
  });

  it('leaves the note when the session is not running', async () => {
    gtJson(town, ['mayor', 'stop'], { env });
    const r = gtJson<Handoff>(town, ['handoff', '--force', '-m', 'Pick up tomorrow'], { env: asMayor });
    expect(r.restart).toBe('not-running');
    expect(await tmux.hasSession('hq-mayor')).toBe(false);
  });
});
