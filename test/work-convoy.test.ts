// Convoys: create/list/show/add/add-issue/close through gt; progress as beads and merge requests move; landing
// closes the convoy and mails its owner, --notify and the overseer exactly once; feeding slings ready beads.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDependency, createBead, updateBead, closeBeads, type Store } from '../src/beads/index.ts';
import { countTownEvents, loadTown, openTownStore, type TownContext } from '../src/town/index.ts';
import {
  checkConvoys,
  createConvoy,
  feedConvoys,
  listInbox,
  showConvoy,
  type ConvoyStatus,
} from '../src/work/index.ts';
import type { SlingRequest } from '../src/work/sling/index.ts';
import { enqueueSling } from '../src/work/sling/queue.ts';
import { enqueueMergeRequest, updateMr, type MrStatus } from '../src/work/merge-requests.ts';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, GT_BIN, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

const SOCKET = `gt-test-convoy-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

describe('convoys', () => {
  let base = '';
  let root = '';
  let town: TownContext;
  let cleanup = (): void => {};
  const withStore = <T>(fn: (s: Store) => T): T => {
    const s = openTownStore(town);
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const bead = (id: string, title = `Work ${id}`): string => withStore((s) => createBead(s, { id, title }).id);
  const hq = (title: string): string => gtJson<{ id: string }>(root, ['bd', 'create', title], { env }).id;
  /** A merge request of bead `b` in `status`; the returned id names it (the queue makes its own). */
  const insertMr = (head: string, b: string, status: MrStatus, extra: { failure?: string } = {}): string =>
    withStore((s) => {
      const { mr } = enqueueMergeRequest(s, {
        rig: b.split('-')[0]!,
        bead: b,
        polecat: 'toast',
        branch: `polecat/toast/${b}`,
        head,
      });
      updateMr(s, mr.id, { status, failure: extra.failure ?? null });
      return mr.id;
    });
  const setMr = (id: string, status: MrStatus): void => withStore((s) => updateMr(s, id, { status }));
  const events = (kind: string, subject?: string): number =>
    withStore((s) => countTownEvents(s, { kind, ...(subject ? { subject } : {}) }));

  beforeAll(() => {
    const t = tempDir('gt convoy');
    base = t.dir;
    cleanup = t.cleanup;
    root = join(base, 'town');
    gtJson(base, ['install', root]);
    for (const rig of ['app', 'web']) {
      sourceRepo(join(base, `${rig} src`), 'main', { 'a.txt': 'a\n' });
      gtJson(root, ['rig', 'add', rig, join(base, `${rig} src`)]);
    }
    town = loadTown(root, { PATH: process.env.PATH ?? '', GT_TMUX_SOCKET: SOCKET, BD_ACTOR: 'tester' });
  });
  afterAll(() => cleanup());

  it('refuses add-issue and show when no convoy is open, and names unknown ids', () => {
    expectFailure(gt(root, ['convoy', 'add-issue', hq('Lonely')], { env }), 2, /there is no open convoy/);
    expectFailure(gt(root, ['convoy', 'show'], { env }), 2, /there is no open convoy/);
    expectFailure(gt(root, ['convoy', 'show', 'hq-zzzz'], { env }), 2, /no convoy matches "hq-zzzz"/);
    expectFailure(gt(root, ['convoy', 'refresh', 'zzzz'], { env }), 2, /no convoy matches "zzzz"/);
  });

  it('creates a convoy across rigs, shows each bead with its state, and lists it', () => {
    bead('app-a1', 'Login form');
    bead('web-a1', 'Login API');
    const c = gtJson<ConvoyStatus>(root, ['convoy', 'create', 'Login', 'app-a1', 'web-a1', '--notify', '--human'], {
      env,
    });
    expect(c).toMatchObject({
      title: 'Login',
      status: 'open',
      owner: 'overseer',
      notify: ['mayor'],
      human: true,
      landed: 0,
      total: 2,
      complete: false,
    });
    expect(c.id).toMatch(/^hq-/);
    expect(c.tracked.map((t) => [t.id, t.state])).toEqual([
      ['app-a1', 'queued'],
      ['web-a1', 'queued'],
    ]);
    const text = gt(root, ['convoy', 'show'], { env }).stdout;
    expect(text).toContain(`${c.id}  [--------------------] 0/2  open  Login`);
    expect(text).toMatch(/○ app-a1\s+queued\s+-\s+\d+s\s+Login form/);
    const short = c.id.slice(3, 5);
    expect(gtJson<ConvoyStatus>(root, ['convoy', 'show', short], { env }).id).toBe(c.id);
    const list = gtJson<ConvoyStatus[]>(root, ['convoy', 'list'], { env });
    expect(list.map((l) => l.id)).toEqual([c.id]);
    expect(gt(root, ['convoy', 'list'], { env }).stdout).toContain('0/2  open  Login');
  });

  it('adds beads to a named convoy and to the most recent open one, refusing duplicates and bad ids', () => {
    const first = gtJson<ConvoyStatus[]>(root, ['convoy', 'list'], { env })[0]!;
    const x = hq('Extra one');
    const added = gtJson<{ added: string[]; convoy: ConvoyStatus }>(root, ['convoy', 'add', first.id, x], { env });
    expect(added.added).toEqual([x]);
    expect(added.convoy.total).toBe(3);
    expectFailure(gt(root, ['convoy', 'add', first.id, x], { env }), 2, new RegExp(`already tracks ${x}`));
    expectFailure(gt(root, ['convoy', 'add', first.id, 'nope-zz9'], { env }), 1, /no bead matches "nope-zz9"/);
    expectFailure(gt(root, ['convoy', 'add', x, 'app-a1'], { env }), 2, new RegExp(`${x} is a task, not a convoy`));
    // One bad id in the list changes nothing.
    const y = hq('Extra two');
    expect(gt(root, ['convoy', 'add', first.id, y, 'nope-zz9'], { env }).code).toBe(1);
    expect(showConvoy(town, first.id).total).toBe(3);

    const later = gtJson<ConvoyStatus>(root, ['convoy', 'create', 'Later'], { env });
    expect(later.total).toBe(0);
    expect(gt(root, ['convoy', 'show'], { env }).stdout).toContain('tracks nothing yet');
    const r = gtJson<{ convoy: ConvoyStatus; added: string[] }>(root, ['convoy', 'add-issue', y], { env });
    expect(r.convoy.id).toBe(later.id);
    expect(gtJson<ConvoyStatus>(root, ['convoy', 'show'], { env }).tracked.map((t) => t.id)).toEqual([y]);
    expectFailure(
      gt(root, ['convoy', 'create', 'Nested', later.id], { env }),
      2,
      /is a convoy; a convoy tracks work beads/,
    );
  });

  it('refuses flag-looking names, empty names and bad addresses', () => {
    expectFailure(gt(root, ['convoy', 'create', '--', '--human'], { env }), 2, /looks like an option/);
    expectFailure(gt(root, ['convoy', 'create', '  '], { env }), 2, /has no name/);
    expectFailure(
      gt(root, ['convoy', 'create', 'X', '--notify', 'nowhere/alice'], { env }),
      2,
      /no rig named "nowhere"/,
    );
    expectFailure(gt(root, ['convoy', 'create', 'X', '--owner', 'justaname'], { env }), 2, /not an agent address/);
    expectFailure(
      gt(root, ['convoy', 'create', 'X', '--notify', 'app/crew/nobody'], { env }),
      2,
      /rig "app" has no crew member "nobody"/,
    );
    expectFailure(
      gt(root, ['convoy', 'create', 'X', '--owner', 'app/ghost'], { env }),
      2,
      /rig "app" has no polecat "ghost"/,
    );
    expect(gtJson<ConvoyStatus[]>(root, ['convoy', 'list', '--all'], { env }).filter((c) => c.title === 'X')).toEqual(
      [],
    );
  });

  it('closes a convoy by hand; a closed convoy refuses more work with a clear error', () => {
    const later = gtJson<ConvoyStatus[]>(root, ['convoy', 'list'], { env }).find((c) => c.title === 'Later')!;
    const closed = gtJson<ConvoyStatus>(root, ['convoy', 'close', later.id, '-m', 'folded into Login'], { env });
    expect(closed).toMatchObject({ status: 'closed', close_reason: 'folded into Login' });
    expectFailure(gt(root, ['convoy', 'add', later.id, 'app-a1'], { env }), 2, /is closed: folded into Login/);
    expectFailure(gt(root, ['convoy', 'close', later.id], { env }), 2, /is closed/);
    expectFailure(gt(root, ['convoy', 'refresh', later.id], { env }), 2, /is closed/);
    expect(gtJson<ConvoyStatus[]>(root, ['convoy', 'list'], { env }).map((c) => c.title)).toEqual(['Login']);
    expect(
      gtJson<ConvoyStatus[]>(root, ['convoy', 'list', '--all'], { env })
        .map((c) => c.title)
        .sort(),
    ).toEqual(['Later', 'Login']);
    expect(listInbox(town, 'overseer').filter((m) => m.subject.includes('Later'))).toEqual([]);
  });

  it('follows each bead from queued to merged and lands the convoy only after the last merge, mailing once', async () => {
    bead('app-b1', 'Cache');
    bead('web-b1', 'Cache headers');
    const c = createConvoy(town, {
      name: 'Caching',
      beads: ['app-b1', 'web-b1'],
      owner: 'mayor',
      notify: ['app/crew/alice'],
      human: true,
      actor: 'mayor',
    });
    const alerts: string[] = [];
    const check = () => checkConvoys(town, { alert: (title) => (alerts.push(title), ['desktop']) });
    const states = () => showConvoy(town, c.id).tracked.map((t) => t.state);
    expect(states()).toEqual(['queued', 'queued']);

    withStore((s) => updateBead(s, 'app-b1', { status: 'hooked', assignee: 'app/toast' }));
    expect(showConvoy(town, c.id).tracked[0]).toMatchObject({ state: 'working', worker: 'app/toast' });
    withStore((s) => updateBead(s, 'app-b1', { status: 'in_progress' }));
    const b1 = insertMr('b1-head', 'app-b1', 'queued');
    expect(states()).toEqual(['merge-pending', 'queued']);
    setMr(b1, 'running');
    expect((await check()).landed).toEqual([]);

    insertMr('w1-head', 'web-b1', 'failed', { failure: 'test gate failed: 2 tests' });
    expect(showConvoy(town, c.id).tracked[1]).toMatchObject({ state: 'failed', detail: 'test gate failed: 2 tests' });

    setMr(b1, 'merged');
    withStore((s) => closeBeads(s, ['app-b1'], 'merged 3f2e1d0'));
    expect(states()).toEqual(['merged', 'failed']);
    expect((await check()).landed).toEqual([]);
    expect(showConvoy(town, c.id).status).toBe('open');

    withStore((s) => closeBeads(s, ['web-b1'], 'no changes'));
    const landed = (await check()).landed;
    expect(landed).toEqual([
      { id: c.id, title: 'Caching', mailed: ['mayor', 'app/crew/alice', 'overseer'], alerted: ['desktop'], errors: [] },
    ]);
    expect(alerts).toEqual(['🚚 Convoy landed: Caching']);
    const after = showConvoy(town, c.id);
    expect(after).toMatchObject({ status: 'closed', landed: 2, total: 2, complete: true });
    expect(after.tracked.map((t) => t.state)).toEqual(['merged', 'landed-no-code']);

    expect((await check()).landed).toEqual([]);
    for (const who of ['mayor', 'app/crew/alice', 'overseer']) {
      const mail = listInbox(town, who).filter((m) => m.subject === '🚚 Convoy landed: Caching');
      expect(mail.length, who).toBe(1);
      expect(mail[0]!.body).toContain('app-b1  merged');
    }
    expect(alerts.length).toBe(1);
    expect(events('convoy.landed', c.id)).toBe(1);
  });

  it('gt convoy refresh lands a finished convoy and mails its owner', () => {
    const a = hq('Docs');
    const c = gtJson<ConvoyStatus>(root, ['convoy', 'create', 'Docs pass', a, '--owner', 'mayor'], { env });
    gtJson(root, ['bd', 'close', a, '-r', 'merged abc1234'], { env });
    const r = gtJson<{ convoy: ConvoyStatus; check: { landed: { mailed: string[] }[] } }>(
      root,
      ['convoy', 'refresh', c.id],
      { env },
    );
    expect(r.convoy.status).toBe('closed');
    expect(r.check.landed[0]?.mailed).toEqual(['mayor']);
    const inbox = gtJson<{ subject: string }[]>(root, ['mail', 'inbox', 'mayor'], { env });
    expect(inbox.filter((m) => m.subject === '🚚 Convoy landed: Docs pass').length).toBe(1);
  });

  it('announces a convoy once when two refreshes race', async () => {
    const a = hq('Race');
    const c = gtJson<ConvoyStatus>(root, ['convoy', 'create', 'Race pass', a, '--owner', 'mayor'], { env });
    gtJson(root, ['bd', 'close', a, '-r', 'merged 9a8b7c6'], { env });
    const refresh = (): Promise<{ landed: number }> =>
      new Promise((res, rej) => {
        const p = spawn(process.execPath, [GT_BIN, 'convoy', 'refresh', c.id, '--json'], {
          cwd: root,
          env: cleanEnv(env),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('close', (code) => {
          if (code === 0) res({ landed: (JSON.parse(out) as { check: { landed: unknown[] } }).check.landed.length });
          // The loser may find the convoy already closed by the winner: a clear refusal, not a second announcement.
          else if (code === 2) res({ landed: 0 });
          else rej(new Error(`gt convoy refresh exited ${code}`));
        });
      });
    const both = await Promise.all([refresh(), refresh()]);
    expect(both.map((b) => b.landed).sort()).toEqual([0, 1]);
    expect(listInbox(town, 'mayor').filter((m) => m.subject === '🚚 Convoy landed: Race pass').length).toBe(1);
  });

  it('feeds ready tracked beads to the rig of their prefix, leaving blocked, held, queued and unroutable ones', async () => {
    for (const id of ['app-f1', 'app-f2', 'web-f1', 'web-f2', 'app-f3']) bead(id);
    withStore((s) => s.write(() => addDependency(s, 'app-f2', 'app-f1', 'blocks')));
    withStore((s) => updateBead(s, 'web-f1', { assignee: 'web/crew/bob' }));
    withStore((s) => enqueueSling(s, { bead: 'app-f3', rig: 'app' }));
    const h = hq('Town chore');
    const c = createConvoy(town, { name: 'Feed me', beads: ['app-f1', 'app-f2', 'web-f1', 'web-f2', 'app-f3', h] });
    const calls: SlingRequest[] = [];
    const sling = async (_t: TownContext, req: SlingRequest) => {
      calls.push({ beads: req.beads, target: req.target });
      return { results: [{ bead: req.beads[0]!, status: 'started' as const, polecat: `${req.target}/toast` }] };
    };
    expect((await feedConvoys(town, { sling, convoy: c.id })).decisions).toEqual([]);
    expect(calls).toEqual([]);

    const r = await feedConvoys(town, { sling, graceMs: 0, convoy: c.id });
    expect(calls).toEqual([
      { beads: ['app-f1'], target: 'app' },
      { beads: ['web-f2'], target: 'web' },
    ]);
    expect(r.decisions.map((d) => [d.bead, d.action, d.status ?? null])).toEqual([
      ['app-f1', 'slung', 'started'],
      ['web-f2', 'slung', 'started'],
      [h, 'skipped', null],
    ]);
    expect(r.decisions[2]!.reason).toMatch(
      /is a town-level bead \(prefix hq-\), fed to no rig; file rig work with bd create "<title>" --rig <rig>/,
    );
    expect(events('convoy.feed.slung', 'app-f1')).toBe(1);

    const boom = async (): Promise<never> => {
      throw new Error('no free polecat');
    };
    const refuse = async (_t: TownContext, req: SlingRequest) => ({
      results: [{ bead: req.beads[0]!, status: 'refused' as const, reason: 'rig is parked' }],
    });
    expect((await feedConvoys(town, { sling: refuse, graceMs: 0, convoy: c.id })).decisions[0]).toMatchObject({
      bead: 'app-f1',
      action: 'skipped',
      status: 'refused',
      reason: 'rig is parked',
    });
    const again = await feedConvoys(town, { sling: boom, graceMs: 0 });
    expect(again.decisions.find((d) => d.bead === 'app-f1')).toMatchObject({
      action: 'failed',
      reason: 'no free polecat',
    });
    await feedConvoys(town, { sling: boom, graceMs: 0 });
    expect(events('convoy.feed.skipped', h)).toBe(1);
    expect(events('convoy.feed.failed', 'app-f1')).toBe(1);
  });
});
