// The refinery as users run it, through the built CLI (bin/gt.js → dist/gt.cjs): rework reaches a polecat, a gate
// that leaves a process behind cannot hold the run past its timeout, and a rewritten origin stops the queue with
// a problem and a hint whose commands work.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, listBeads } from '../src/beads/index.ts';
import { enqueueMergeRequest, getMr } from '../src/refinery/index.ts';
import { listTownEvents, loadTown, openTownStore, townEventsMatching } from '../src/town/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { cleanEnv } from './support/bd.ts';
import { addFakeAgent, git, gtJson, sourceRepo, tempDir } from './support/gt.ts';
import { gtBuilt, gtBuiltJson, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-refinery-built-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET };

interface Outcome {
  mr: string;
  bead: string;
  status: string;
  rework_bead?: string;
  slung?: string;
  note?: string;
  reason?: string;
  commit?: string;
}
interface RunResult {
  status: string;
  message?: string;
  outcomes: Outcome[];
}

describe('the refinery, built', () => {
  let base = '';
  let town = '';
  let cleanup = (): void => {};
  const tmux = createTmux({ socket: SOCKET });
  let n = 0;
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(loadTown(town, cleanEnv()));
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const setRig = (rig: string, patch: Record<string, unknown>): void => {
    const path = join(town, rig, 'rig.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...cfg, gates: {}, ...patch }, null, 2));
  };
  /** A bead and a work branch from main with `files` committed in the rig's repo, queued (what gt done leaves). */
  const request = (
    rig: string,
    files: Record<string, string>,
  ): { bead: string; mr: string; head: string; branch: string } => {
    n++;
    const repo = join(town, rig, '.repo.git');
    const bead = withStore((s) => createBead(s, { title: `change ${n}` }).id);
    const branch = `work/c${n}`;
    const wt = join(base, `scratch ${n}`);
    git(repo, ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    for (const [p, text] of Object.entries(files)) writeFileSync(join(wt, p), text);
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'commit', '-q', '-m', `change ${n}`]);
    const head = git(wt, ['rev-parse', 'HEAD']).trim();
    git(repo, ['worktree', 'remove', '--force', wt]);
    const mr = withStore((s) => enqueueMergeRequest(s, { rig, bead, branch, head }).mr.id);
    return { bead, mr, head, branch };
  };
  let reworkBead = '';
  const alive = (pattern: string): boolean => spawnSync('pgrep', ['-f', pattern]).status === 0;

  beforeAll(() => {
    requireFreshBuild();
    const t = tempDir('gt refinery built');
    base = t.dir;
    cleanup = t.cleanup;
    town = join(base, 'town');
    gtJson(base, ['install', town]);
    addFakeAgent(town, base, { settings: { role_agents: { polecat: 'fake' } } });
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'a\n' });
    gtJson(town, ['rig', 'add', 'app', join(base, 'app src')]);
  });
  afterAll(async () => {
    await tmux.killServer();
    cleanup();
  });

  it('slings the rework of a failing gate to a polecat, and a retry that fails again keeps the same rework bead', async () => {
    setRig('app', { gates: { test: { command: 'echo "FAIL: r.txt"; exit 1', timeout_seconds: 30 } } });
    const f = request('app', { 'r.txt': 'r\n' });
    const first = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app'], { env });
    expect(first.outcomes).toEqual([expect.objectContaining({ mr: f.mr, status: 'gate-failed', slung: 'started' })]);
    expect(first.outcomes[0]!.note).toBeUndefined();
    const rework = first.outcomes[0]!.rework_bead!;
    reworkBead = rework;
    const hooked = withStore((s) => getBead(s.db, rework));
    expect(hooked?.assignee).toMatch(/^app\//);

    expect(gtBuiltJson<{ status: string }>(town, ['mq', 'retry', f.mr]).status).toBe('queued');
    const again = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app'], { env });
    expect(again.outcomes).toEqual([expect.objectContaining({ mr: f.mr, status: 'gate-failed', rework_bead: rework })]);
    const reworks = withStore((s) =>
      listBeads(s, { includeClosed: true, limit: 0 }).beads.filter((b) => b.metadata?.rework_of === f.bead),
    );
    expect(reworks.map((r) => r.id)).toEqual([rework]);
    setRig('app', {});
    gtBuilt(town, ['mq', 'reject', f.mr], { env });
  }, 120_000);

  it('ends a gate at its timeout when a process it left with setsid holds the output, and stops that process', () => {
    setRig('app', { gates: { test: { command: 'setsid sleep 300.25 & sleep 30', timeout_seconds: 4 } } });
    const slow = request('app', { 's.txt': 's\n' });
    let t0 = Date.now();
    const r = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    // Far below the 300 s the left-behind process would hold the pipe (a busy machine slows gt itself, not the gate).
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(r.outcomes).toEqual([expect.objectContaining({ mr: slow.mr, status: 'gate-timeout' })]);
    expect(alive('sleep 300.25')).toBe(false);

    // A gate that exits at once but leaves the process holding its pipes: its own status counts, the process is stopped.
    setRig('app', { gates: { test: { command: 'setsid sleep 300.5 & echo ok', timeout_seconds: 4 } } });
    const quick = request('app', { 'q.txt': 'q\n' });
    t0 = Date.now();
    const q = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(q.outcomes).toEqual([expect.objectContaining({ mr: quick.mr, status: 'merged' })]);
    expect(alive('sleep 300.5')).toBe(false);
    setRig('app', {});
  }, 200_000);
  it('gt polecat gc and remove name the unlanded commits and where they live; remove --force takes the name and saves a bundle first', () => {
    const p = gtBuiltJson<{ rig: string; name: string; bead: string | null; worktree: string }[]>(
      town,
      ['polecat', 'list'],
      { env },
    ).find((x) => x.bead === reworkBead)!;
    expect(p).toBeDefined();
    gtBuiltJson(town, ['unsling', reworkBead], { env });
    writeFileSync(join(p.worktree, 'fix.txt'), 'fixed\n');
    git(p.worktree, ['add', '-A']);
    git(p.worktree, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'commit', '-q', '-m', 'half of the fix']);
    const sha = git(p.worktree, ['rev-parse', 'HEAD']).trim();
    writeFileSync(join(p.worktree, 'wip.txt'), 'not committed\n');
    const addr = `${p.rig}/${p.name}`;
    const gc = gtBuiltJson<{ removed: string[]; kept: { address: string; reason: string }[] }>(
      town,
      ['polecat', 'gc'],
      { env },
    );
    expect(gc.kept).toEqual([expect.objectContaining({ address: addr, reason: expect.stringContaining(p.worktree) })]);
    {
      const refused = gtBuilt(town, ['polecat', 'remove', addr], { env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/cannot be removed: its worktree holds 1 uncommitted file \(wip\.txt\)/);
      expect(refused.stderr).toContain(p.worktree);
      git(p.worktree, ['stash', '-q', '-u']);
      const commits = gtBuilt(town, ['polecat', 'remove', addr], { env });
      expect(commits.stderr).toContain(`${sha.slice(0, 12)} "half of the fix"`);
      git(p.worktree, ['stash', 'pop', '-q']);
    }
    expect(gtBuilt(town, ['polecat', 'remove', addr, '--force', '--yes', 'nobody'], { env }).code).toBe(2);
    expect(existsSync(p.worktree)).toBe(true);
    const r = gtBuilt(town, ['polecat', 'remove', addr, '--force', '--yes', p.name], { env });
    expect(r.code, r.stderr).toBe(0);
    const bundle = /saved first to (.*?\.bundle) /.exec(r.stdout)![1]!;
    expect(existsSync(p.worktree)).toBe(false);
    const back = join(base, 'polecat back');
    git(base, ['clone', '-q', '--mirror', bundle, back]);
    const saved = `refs/gt/saved/polecat/${p.name}`;
    expect(git(back, ['show', `${saved}:wip.txt`])).toBe('not committed\n');
    expect(git(back, ['show', `${saved}:fix.txt`])).toBe('fixed\n');
    expect(git(back, ['rev-parse', `${saved}^`]).trim()).toBe(sha);
  }, 120_000);

  it('the daemon, built, hands the rework of a failing gate to a polecat', async () => {
    setRig('app', { gates: { test: { command: 'echo "FAIL: daemon"; exit 1', timeout_seconds: 30 } } });
    const f = request('app', { 'dm.txt': 'dm\n' });
    const denv = { ...env, GT_DAEMON_TICK_MS: '300' };
    expect(gtBuilt(town, ['daemon', 'start'], { env: denv }).code).toBe(0);
    try {
      let mr: { status: string; rework_bead: string | null } | undefined;
      let assignee: string | null = null;
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
        mr = withStore((s) => getMr(s, f.mr));
        assignee = mr?.rework_bead ? withStore((s) => getBead(s.db, mr!.rework_bead!)?.assignee ?? null) : null;
        if (assignee) break;
      }
      expect(mr).toMatchObject({ status: 'failed' });
      expect(assignee).toMatch(/^app\//);
      const events = withStore((s) => [
        ...listTownEvents(s, { kindPrefix: 'refinery.' }),
        ...townEventsMatching(s, { kind: 'daemon.error' }),
      ]);
      expect(events.map((e) => e.reason ?? '').join('\n')).not.toMatch(/sling is not available/);
    } finally {
      gtBuilt(town, ['daemon', 'stop'], { env: denv });
      setRig('app', {});
      gtBuilt(town, ['mq', 'reject', f.mr], { env });
    }
  }, 150_000);

  interface Landed {
    repo: string;
    branch: string;
    commit: string | null;
    delivered: { target: string; ref: string; commit: string; note?: string } | null;
    only_in_rig: boolean;
    reason: string | null;
  }
  interface Status {
    rigs: { name: string; landed: Landed }[];
    problems: { kind: string; subject: string; message: string }[];
  }
  const status = (): Status => gtBuiltJson<Status>(town, ['status'], { env });
  const rigMain = (rig: string): string => git(join(town, rig, '.repo.git'), ['rev-parse', 'main']).trim();

  it('delivers landed work into the local repository the rig came from: main when clean, gt/main when it has local changes', () => {
    const src = join(base, 'app src');
    const a = request('app', { 'd1.txt': 'one\n' });
    const r = gtBuiltJson<RunResult & { delivered?: { ref: string } }>(town, ['refinery', 'run', 'app', '--no-sling'], {
      env,
    });
    expect(r.outcomes).toEqual([expect.objectContaining({ mr: a.mr, status: 'merged' })]);
    // main was checked out with a clean work tree: it moved, and the file is there.
    expect(git(src, ['rev-parse', 'main']).trim()).toBe(rigMain('app'));
    expect(readFileSync(join(src, 'd1.txt'), 'utf8')).toBe('one\n');
    expect(git(src, ['status', '--porcelain'])).toBe('');
    const landed = status().rigs.find((x) => x.name === 'app')!.landed;
    expect(landed).toMatchObject({
      only_in_rig: false,
      delivered: { target: src, ref: 'main', commit: rigMain('app') },
    });
    expect(gtBuilt(town, ['status'], { env }).stdout).toContain(`landed work: on main in ${src}`);
    // The same in gt refinery status (whose data the dashboard's queue panel shows).
    expect(
      gtBuiltJson<{ delivered: { ref: string; target: string } | null }[]>(town, ['refinery', 'status', 'app'], {
        env,
      })[0]!.delivered,
    ).toMatchObject({ ref: 'main', target: src });

    // Someone is editing a.txt there: their work tree is left alone, the work goes to gt/main.
    writeFileSync(join(src, 'a.txt'), 'a\nmy local edit\n');
    const before = git(src, ['rev-parse', 'main']).trim();
    const b = request('app', { 'd2.txt': 'two\n' });
    const r2 = gtBuilt(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toMatch(/Landed work is on gt\/main in .*app src.*uncommitted changes/);
    expect(git(src, ['rev-parse', 'main']).trim()).toBe(before);
    expect(readFileSync(join(src, 'a.txt'), 'utf8')).toBe('a\nmy local edit\n');
    expect(git(src, ['rev-parse', 'gt/main']).trim()).toBe(rigMain('app'));
    expect(git(src, ['log', '--format=%s', 'gt/main']).split('\n')).toContain(`change ${n}`);
    expect(gtBuilt(town, ['status'], { env }).stdout).toMatch(
      /landed work: on gt\/main in .*app src.*uncommitted changes/,
    );
    void b;

    // Clean again: the next landing fast-forwards main past gt/main, which is then removed.
    git(src, ['checkout', '--', 'a.txt']);
    request('app', { 'd3.txt': 'three\n' });
    gtBuiltJson(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(git(src, ['rev-parse', 'main']).trim()).toBe(rigMain('app'));
    expect(spawnSync('git', ['rev-parse', '--verify', '--quiet', 'gt/main'], { cwd: src }).status).not.toBe(0);
  }, 120_000);

  it('says when landed work is only in the rig because its source is gone, and delivers it once the source is back', () => {
    const src = join(base, 'app src');
    const away = join(base, 'app src moved');
    spawnSync('mv', [src, away]);
    try {
      const c = request('app', { 'g.txt': 'g\n' });
      const r = gtBuiltJson<RunResult & { undelivered?: { reason: string } }>(
        town,
        ['refinery', 'run', 'app', '--no-sling'],
        { env },
      );
      expect(r.outcomes).toEqual([expect.objectContaining({ mr: c.mr, status: 'merged' })]);
      expect(r.undelivered?.reason).toMatch(/missing/);
      const s = status();
      expect(s.rigs.find((x) => x.name === 'app')!.landed).toMatchObject({ only_in_rig: true });
      expect(s.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'work-not-delivered', subject: 'app' })]),
      );
    } finally {
      spawnSync('mv', [away, src]);
    }
    // Nothing queued: the next run only delivers.
    gtBuiltJson(town, ['refinery', 'run', 'app', '--no-sling'], { env });
    expect(git(src, ['rev-parse', 'main']).trim()).toBe(rigMain('app'));
    expect(status().problems.filter((p) => p.kind === 'work-not-delivered')).toEqual([]);
  }, 60_000);

  it("stops the queue when origin was rewritten, shows the problem in gt status, and its hint's commands land the request", () => {
    const origin = join(base, 'web origin.git');
    git(base, ['clone', '-q', '--bare', join(base, 'app src'), origin]);
    gtJson(town, ['rig', 'add', 'web', origin]);
    const gateRuns = join(base, 'web gate runs');
    setRig('web', { gates: { test: { command: `echo run >> '${gateRuns}'`, timeout_seconds: 30 } } });
    const first = request('web', { 'w1.txt': 'w1\n' });
    const firstSubject = `change ${n}`;
    expect(gtBuiltJson<RunResult>(town, ['refinery', 'run', 'web', '--no-sling'], { env }).outcomes).toEqual([
      expect.objectContaining({ mr: first.mr, status: 'merged' }),
    ]);
    const oldMain = rigMain('web');
    expect(git(origin, ['rev-parse', 'main']).trim()).toBe(oldMain);

    // Someone rewrites origin's main: the landed commit is dropped, another takes its place.
    const other = join(base, 'web other clone');
    git(base, ['clone', '-q', origin, other]);
    git(other, ['reset', '-q', '--hard', 'HEAD~1']);
    writeFileSync(join(other, 'x.txt'), 'x\n');
    git(other, ['add', '-A']);
    git(other, ['-c', 'user.name=O', '-c', 'user.email=o@x', 'commit', '-q', '-m', 'rewritten history']);
    git(other, ['push', '-q', '--force', 'origin', 'main']);
    const second = request('web', { 'w2.txt': 'w2\n' });
    const runsBefore = readFileSync(gateRuns, 'utf8');

    for (let i = 0; i < 2; i++) {
      const r = gtBuilt(town, ['refinery', 'run', 'web', '--no-sling'], { env });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^Error: origin's main was rewritten/);
      expect(r.stderr).toMatch(/Hint: gt refinery resync web .*then gt refinery run web/);
    }
    expect(readFileSync(gateRuns, 'utf8')).toBe(runsBefore);
    const s = status();
    expect(s.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'merge-blocked', subject: 'web' })]),
    );
    expect(gtBuilt(town, ['status'], { env }).stdout).toMatch(/! origin's main was rewritten.*gt refinery resync web/);
    expect(gtBuilt(town, ['refinery', 'status', 'web'], { env }).stdout).toMatch(
      /stopped: origin's main was rewritten/,
    );

    // The hint's commands, as given.
    const resync = gtBuilt(town, ['refinery', 'resync', 'web'], { env });
    expect(resync.code, resync.stderr).toBe(0);
    const kept = /kept as branch (\S+)/.exec(resync.stdout)![1]!;
    expect(git(join(town, 'web', '.repo.git'), ['rev-parse', kept]).trim()).toBe(oldMain);
    const run = gtBuiltJson<RunResult>(town, ['refinery', 'run', 'web', '--no-sling'], { env });
    expect(run.outcomes).toEqual([expect.objectContaining({ mr: second.mr, status: 'merged' })]);
    const log = git(origin, ['log', '--format=%s', 'main']).split('\n');
    expect(log).toContain('rewritten history');
    expect(log).toContain(`change ${n}`);
    expect(log).not.toContain(firstSubject);
    expect(status().problems.filter((p) => p.kind === 'merge-blocked')).toEqual([]);
  }, 120_000);
});
