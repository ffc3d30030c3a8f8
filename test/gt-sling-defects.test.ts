// Sling, unsling and done as users and agents run them, from source and from the built CLI (bin/gt.js → dist/gt.cjs):
// a polecat never gets a crew member's session, unsling says what the bead is now, a re-sling of a queued bead
// updates its options and says so, and gt done gives its freed slot to the sling queue.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTmux } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { addFakeAgent, expectFailure, gt, gtJson, sourceRepo, tempDir, type RunOut } from './support/gt.ts';

const SOCKET = `gt-test-sling-defects-${process.pid}`;
const GT_BUILT = resolve(import.meta.dirname, '../bin/gt.js');
const env = { GT_TMUX_SOCKET: SOCKET };

/** gt from the bundle, as installed users and agents run it. */
function gtBuilt(cwd: string, args: readonly string[], extra: Record<string, string> = {}): RunOut {
  const r = spawnSync(process.execPath, [GT_BUILT, ...args], {
    cwd,
    env: cleanEnv({ ...env, ...extra }),
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(r: RunOut): T {
  if (r.code !== 0) throw new Error(`exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Outcome {
  bead: string;
  status: string;
  polecat?: string;
  reason?: string;
  session?: string;
  worktree?: string;
}
interface Slung {
  results: Outcome[];
  drained: Outcome[];
}
interface Done {
  outcome: string;
  bead: string;
  drained: Outcome[];
}

describe('sling, unsling and done: defects found by trying them', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  const bead = (title: string, rig = 'app'): string =>
    gtJson<{ id: string }>(town, ['bd', 'create', '--rig', rig, title]).id;
  /** `bd show --json` prints an array, as Go Beads does. */
  const show = (id: string): { status: string; assignee: string } =>
    gtJson<{ status: string; assignee: string }[]>(town, ['bd', 'show', id])[0]!;
  const status = (id: string): string => show(id).status;
  const log = (session: string): string => {
    const p = join(base, `${session}.log`);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  };
  const setCap = (n: number): void => {
    const path = join(town, 'settings', 'config.json');
    const s = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    s.caps = { polecats_per_rig: n, polecats_per_town: 12 };
    writeFileSync(path, JSON.stringify(s, null, 2));
  };

  beforeAll(() => {
    const t = tempDir('gt sling defects');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { role_agents: { polecat: 'fake' } } });
    setCap(1);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    // One rig per test below, so that (with one polecat per rig) none depends on what an earlier one left.
    for (const rig of ['app', 'lib', 'web']) gtJson(town, ['rig', 'add', rig, join(base, 'app src')]);
    gtJson(town, ['crew', 'add', 'x', '--rig', 'app']);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it("a polecat named crew-x would be crew member x's session: refused, and x's agent is never typed into", async () => {
    const crew = gtJson<{ session: string }>(
      town,
      ['crew', 'at', 'x', '--rig', 'app', '--agent', 'fake', '--no-attach'],
      { env },
    );
    expect(crew.session).toBe('app-crew-x');
    const id = bead('Would go to the wrong agent');
    for (const run of [(a: string[]) => gt(town, a, { env }), (a: string[]) => gtBuilt(town, a)]) {
      const r = run(['sling', id, 'app/crew-x', '--agent', 'fake']);
      expectFailure(r, 2, /"app\/crew-x" is not an agent address: polecat names may not start with "crew"/);
      expect(r.stderr).toMatch(/crew member x is app\/crew\/x/);
      expectFailure(run(['sling', id, 'app/polecats/witness-2', '--agent', 'fake']), 2, /may not start with "witness"/);
    }
    expect(status(id)).toBe('open');
    expect(existsSync(join(town, 'app', 'polecats', 'crew-x'))).toBe(false);
    expect(await tmux.hasSession('app-crew-x')).toBe(true);
    expect(log('app-crew-x')).not.toContain(id);
    // Nor can anything else address a polecat by that name (mail, nudges, peek all read addresses the same way).
    expectFailure(
      gt(town, ['mail', 'send', 'app/crew-x', '-s', 'hi', '--no-notify'], { env }),
      2,
      /may not start with "crew"/,
    );
    await tmux.killSession('app-crew-x');
  });

  it('gt unsling of a landed bead says it stays closed (built CLI)', () => {
    const id = bead('Lands directly', 'lib');
    const s = json<Slung>(gtBuilt(town, ['sling', id, 'lib', '--agent', 'fake', '--merge', 'direct', '--json']));
    const o = s.results[0]!;
    expect(o).toMatchObject({ status: 'started' });
    writeFileSync(join(o.worktree!, 'landed.txt'), 'landed\n');
    expect(json<Done>(gtBuilt(o.worktree!, ['done', '--json'], { GT_ADDRESS: o.polecat! }))).toMatchObject({
      outcome: 'landed',
      bead: id,
    });
    expect(status(id)).toBe('closed');
    const un = gtBuilt(town, ['unsling', id]);
    expect(un.code, un.stderr).toBe(0);
    expect(un.stdout).toMatch(new RegExp(`^Released ${id} from ${o.polecat}.*; it stays closed`));
    expect(un.stdout).not.toMatch(/open again/);
    expect(status(id)).toBe('closed');
    expect(json<{ status: string }>(gtBuilt(town, ['unsling', id, '--json'])).status).toBe('closed');
  });

  let queued = '';
  let first: Outcome;

  it('re-slinging a queued bead with new options updates them and says so; the same options say nothing changed', () => {
    const busy = bead('Holds the only slot', 'web');
    first = json<Slung>(gtBuilt(town, ['sling', busy, 'web', '--agent', 'fake', '--json'])).results[0]!;
    expect(first).toMatchObject({ status: 'started' });
    queued = bead('Waits its turn', 'web');
    const q1 = json<Slung>(gtBuilt(town, ['sling', queued, 'web', '--agent', 'fake', '--json'])).results[0]!;
    expect(q1).toMatchObject({ status: 'queued', reason: expect.stringContaining('cap 1') });
    const q2 = gtBuilt(town, ['sling', queued, 'web', '--agent', 'fake', '--message', 'use the v2 API']);
    expect(q2.code, q2.stderr).toBe(0);
    expect(q2.stdout).toMatch(/Queued .*already queued since .*, now with the new message/);
    const q3 = gt(town, ['sling', queued, 'web', '--agent', 'fake', '--message', 'use the v2 API'], { env });
    expect(q3.stdout).toMatch(/already queued since .* with the same options/);
    expect(status(queued)).toBe('open');
  });

  it('gt done gives the freed slot to the sling queue, which starts with the options of the latest sling (built CLI)', async () => {
    writeFileSync(join(first.worktree!, 'b.txt'), 'b\n');
    const d = gtBuilt(first.worktree!, ['done'], { GT_ADDRESS: first.polecat! });
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(new RegExp(`From the queue: slung ${queued} to web/\\S+ on polecat/\\S+/${queued}`));
    expect(status(queued)).toBe('hooked');
    const holder = show(queued).assignee;
    expect(holder).toMatch(/^web\//);
    const prefix = (JSON.parse(readFileSync(join(town, 'web', 'rig.json'), 'utf8')) as { prefix: string }).prefix;
    const session = `${prefix}-${holder.split('/')[1]}`;
    expect(await tmux.hasSession(session)).toBe(true);
    // The agent was told the latest sling's note.
    const deadline = Date.now() + 20_000;
    while (!log(session).includes('use the v2 API') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(log(session)).toContain('use the v2 API');
  });

  it('a queued sling to a named polecat goes to that polecat when drained, not to whichever is free', () => {
    const named = bead('For toast only', 'web');
    const q = json<Slung>(gt(town, ['sling', named, 'web/toast', '--agent', 'fake', '--json'], { env })).results[0]!;
    expect(q).toMatchObject({ status: 'queued' });
    // Free the rig's only slot; the polecat that held it stays as an idle, reusable one.
    expect(gt(town, ['unsling', queued], { env }).code).toBe(0);
    const r = json<Slung>(gt(town, ['sling', named, 'web/toast', '--agent', 'fake', '--json'], { env }));
    expect(r.drained).toEqual([expect.objectContaining({ bead: named, status: 'started', polecat: 'web/toast' })]);
    expect(show(named).assignee).toBe('web/toast');
  });

  it("a sling without --agent pins no runtime: the polecat row keeps none, the session runs the rig's polecat agent", async () => {
    const id = bead('Runs whatever the rig uses');
    const o = json<Slung>(gtBuilt(town, ['sling', id, 'app', '--json'])).results[0]!;
    expect(o).toMatchObject({ status: 'started' });
    expect(gtJson<{ agent: string | null }>(town, ['polecat', 'status', o.polecat!], { env }).agent).toBeNull();
    expect(await tmux.hasSession(o.session!)).toBe(true);
  });
});
