// The refinery without agents: branches made with git, merge requests queued, the queue processed for real.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBead, depsOf, getBead } from '../src/beads/index.ts';
import type { Clock } from '../src/kernel/index.ts';
import { enqueueMergeRequest, getMr, listMrs, processQueue, updateMr } from '../src/refinery/index.ts';
import { loadTown, openTownStore, type TownContext } from '../src/town/index.ts';
import { cleanEnv } from './support/bd.ts';
import { expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

describe('the refinery', () => {
  let base = '';
  let townDir = '';
  let town: TownContext;
  let repo = '';
  let scratch = '';
  let cleanup = (): void => {};
  let n = 0;
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T, clock?: Clock): T => {
    const s = openTownStore(town, clock ? { clock } : {});
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  const main = (): string => git(repo, ['rev-parse', 'main']).trim();
  const setRig = (patch: Record<string, unknown>): void => {
    const path = join(townDir, 'app', 'rig.json');
    const cfg = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      path,
      JSON.stringify({ ...cfg, gates: {}, merge_queue: undefined, merge_strategy: 'mr', ...patch }, null, 2),
    );
  };
  /** A bead and a work branch from main with `files` committed, queued as a merge request (what gt done leaves). */
  /** A polecat branch with `files` and its merge request (of a new bead, or of `bead`; enqueued at `at`, default now). */
  const request = (
    files: Record<string, string>,
    opts: { priority?: number; from?: string; bead?: string; at?: Date } = {},
  ): { bead: string; mr: string; head: string; branch: string } => {
    n++;
    const bead =
      opts.bead ?? withStore((s) => createBead(s, { title: `change ${n}`, priority: opts.priority ?? 2 }).id);
    const branch = `polecat/p${n}/${bead}`;
    git(scratch, ['checkout', '-q', '-B', branch, opts.from ?? 'main']);
    for (const [p, text] of Object.entries(files)) writeFileSync(join(scratch, p), text);
    git(scratch, ['add', '-A']);
    git(scratch, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'commit', '-q', '-m', `change ${n}`]);
    const head = git(scratch, ['rev-parse', 'HEAD']).trim();
    git(scratch, ['checkout', '-q', '--detach']);
    const at = opts.at;
    const mr = withStore(
      (s) => enqueueMergeRequest(s, { rig: 'app', bead, branch, head, priority: opts.priority ?? 2 }).mr.id,
      at ? () => at : undefined,
    );
    return { bead, mr, head, branch };
  };
  const mrOf = (id: string) => withStore((s) => getMr(s, id)!);
  const beadOf = (id: string) => withStore((s) => getBead(s.db, id)!);

  beforeAll(() => {
    const t = tempDir('gt refinery');
    base = t.dir;
    cleanup = t.cleanup;
    townDir = join(base, 'town');
    gtJson(base, ['install', townDir]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'one\ntwo\nthree\n' });
    gtJson(townDir, ['rig', 'add', 'app', join(base, 'app src')]);
    town = loadTown(townDir, cleanEnv());
    repo = join(townDir, 'app', '.repo.git');
    scratch = join(base, 'scratch');
    git(repo, ['worktree', 'add', '-q', '--detach', scratch, 'main']);
  });
  afterAll(() => cleanup());
  beforeEach(() => {
    setRig({});
    // Nothing left over from the previous test.
    withStore((s) =>
      listMrs(s, { status: ['queued', 'running'] }).forEach((m) => updateMr(s, m.id, { status: 'rejected' })),
    );
  });

  it('lands one of two requests changing the same line; the other becomes a rework bead naming the file, main untouched by it', async () => {
    const a = request({ 'a.txt': 'one\nTWO by a\nthree\n' });
    const b = request({ 'a.txt': 'one\nTWO by b\nthree\n' });
    const r = await processQueue(town, 'app', { sling: false });
    expect(r.outcomes.map((o) => [o.mr, o.status])).toEqual([
      [a.mr, 'merged'],
      [b.mr, 'conflict'],
    ]);
    const landed = mrOf(a.mr).merge_commit!;
    expect(main()).toBe(landed);
    expect(git(repo, ['show', 'main:a.txt'])).toBe('one\nTWO by a\nthree\n');
    expect(beadOf(a.bead)).toMatchObject({ status: 'closed', close_reason: `merged ${landed}` });
    // The landed branch is gone; the failed one is kept for the rework.
    expect(spawnSync('git', ['rev-parse', '--verify', '--quiet', a.branch], { cwd: repo }).status).not.toBe(0);
    expect(git(repo, ['rev-parse', b.branch]).trim()).toBe(b.head);
    const failed = mrOf(b.mr);
    expect(failed).toMatchObject({ status: 'failed', failure: 'merge conflict in a.txt' });
    const rework = withStore((s) => ({
      bead: getBead(s.db, failed.rework_bead!)!,
      deps: depsOf(s.db, failed.rework_bead!).map((d) => ({ depends_on_id: d.depends_on_id, type: d.type })),
    }));
    expect(rework.bead).toMatchObject({
      type: 'bug',
      status: 'open',
      title: `Rework ${b.bead}: merge conflict in a.txt`,
    });
    expect(rework.bead.description).toContain('- a.txt');
    expect(rework.bead.description).toContain(b.branch);
    expect(rework.deps).toEqual([{ depends_on_id: b.bead, type: 'discovered-from' }]);
    expect(beadOf(b.bead).notes).toContain(`rework in ${failed.rework_bead}`);

    // The rework lands (made on top of main, keeping both intents): the original bead closes with it.
    request({ 'a.txt': 'one\nTWO by a and b\nthree\n' }, { bead: failed.rework_bead! });
    const r2 = await processQueue(town, 'app', { sling: false });
    expect(r2.outcomes.map((o) => o.status)).toEqual(['merged']);
    expect(beadOf(b.bead)).toMatchObject({ status: 'closed' });
    expect(beadOf(b.bead).close_reason).toMatch(/^merged [0-9a-f]{40} \(rework /);
  });

  it('keeps main untouched when the test gate fails, and puts the gate output in the rework bead', async () => {
    setRig({
      gates: {
        test: {
          command: 'if grep -q broken b.txt 2>/dev/null; then echo "FAIL: b.txt is broken"; exit 3; fi; echo ok',
          timeout_seconds: 30,
        },
      },
    });
    const before = main();
    const bad = request({ 'b.txt': 'broken\n' });
    const r = await processQueue(town, 'app', { sling: false });
    expect(r.outcomes).toEqual([expect.objectContaining({ mr: bad.mr, status: 'gate-failed', gate: 'test' })]);
    expect(r.gate_runs).toBe(1);
    expect(main()).toBe(before);
    expect(git(join(townDir, 'app', 'refinery'), ['status', '--porcelain'])).toBe('');
    expect(git(join(townDir, 'app', 'refinery'), ['rev-parse', 'HEAD']).trim()).toBe(before);
    const mr = mrOf(bad.mr);
    expect(mr.failure).toContain('FAIL: b.txt is broken');
    const rework = beadOf(mr.rework_bead!);
    expect(rework.title).toBe(`Rework ${bad.bead}: test gate failed (exit 3)`);
    expect(rework.description).toContain('FAIL: b.txt is broken');
  });

  it('kills a hanging gate at its timeout and reports it', async () => {
    setRig({ gates: { test: { command: 'sleep 31337', timeout_seconds: 1 } } });
    const before = main();
    const slow = request({ 'c.txt': 'c\n' });
    const t0 = Date.now();
    const r = await processQueue(town, 'app', { sling: false });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.outcomes).toEqual([expect.objectContaining({ mr: slow.mr, status: 'gate-timeout', gate: 'test' })]);
    expect(mrOf(slow.mr).failure).toContain('did not finish within 1 s and was killed');
    expect(main()).toBe(before);
    expect(spawnSync('pgrep', ['-f', 'sleep 31337']).status).not.toBe(0);
  });

  it('takes requests by priority, then age, and ages old ones past fresh urgent ones', () => {
    const low = request({ 'd1.txt': '1\n' }, { priority: 3 });
    const urgent = request({ 'd2.txt': '2\n' }, { priority: 0 });
    const mid = request({ 'd3.txt': '3\n' }, { priority: 2 });
    // Waiting 2.5 h lifts the P4 request five levels: ahead of everything.
    const old = request({ 'd4.txt': '4\n' }, { priority: 4, at: new Date(Date.now() - 150 * 60_000) });
    const q = gtJson<{ id: string; effective_priority: number }[]>(townDir, ['refinery', 'queue', 'app']);
    expect(q.map((m) => m.id)).toEqual([old.mr, urgent.mr, mid.mr, low.mr]);
    expect(q[0]!.effective_priority).toBe(-1);
  });

  it('in batch mode lands the 15 good requests of 16 and finds the bad one with few gate runs', async () => {
    setRig({
      gates: { test: { command: '! grep -rqs BAD --include=f*.txt .', timeout_seconds: 30 } },
      merge_queue: { batch: 16 },
    });
    const reqs = Array.from({ length: 16 }, (_, i) => request({ [`f${i}.txt`]: i === 11 ? 'BAD\n' : `good ${i}\n` }));
    const r = await processQueue(town, 'app', { sling: false });
    const merged = r.outcomes.filter((o) => o.status === 'merged').map((o) => o.mr);
    expect(merged.sort()).toEqual(
      reqs
        .filter((_, i) => i !== 11)
        .map((x) => x.mr)
        .sort(),
    );
    expect(r.outcomes.find((o) => o.mr === reqs[11]!.mr)).toMatchObject({ status: 'gate-failed' });
    console.log(`batch of 16 with 1 bad: ${r.gate_runs} gate runs (serial would run 16), ${r.ms} ms`);
    expect(r.gate_runs).toBeLessThanOrEqual(6);
    const onMain = git(repo, ['ls-tree', '--name-only', 'main']).split('\n');
    for (let i = 0; i < 16; i++) expect(onMain.includes(`f${i}.txt`), `f${i}.txt on main`).toBe(i !== 11);
  });

  it('finishes a request left running by a killed refinery without merging it twice', async () => {
    // Killed after the fast-forward, before the bookkeeping: main already holds the rebased commit.
    const landed = request({ 'e1.txt': 'e1\n' });
    git(repo, ['update-ref', 'refs/heads/main', landed.head]);
    updateMrRunning(landed.mr, landed.head);
    // Killed mid-gate: not on main yet.
    const midway = request({ 'e2.txt': 'e2\n' });
    updateMrRunning(midway.mr, null);
    const before = main();
    const r = await processQueue(town, 'app', { sling: false });
    expect(r.outcomes.map((o) => [o.mr, o.status])).toEqual([
      [landed.mr, 'recovered-merged'],
      [midway.mr, 'requeued'],
      [midway.mr, 'merged'],
    ]);
    expect(beadOf(landed.bead)).toMatchObject({ status: 'closed', close_reason: `merged ${landed.head}` });
    // Exactly one new commit on main (the midway one); e1 is not applied a second time.
    expect(git(repo, ['rev-list', '--count', `${before}..main`]).trim()).toBe('1');
    expect(
      git(repo, ['log', '--format=%s', 'main'])
        .split('\n')
        .filter((l) => l === 'change ' + String(n - 1)),
    ).toHaveLength(1);
  });

  it('survives kill -9 of gt refinery run in the middle of a merge: one landing, nothing lost', async () => {
    setRig({ gates: { test: { command: 'sleep 4', timeout_seconds: 30 } } });
    const req = request({ 'k.txt': 'k\n' });
    const before = main();
    // Kill it once the merge is really under way (its gate running), however slow the machine is.
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '../src/cli/gt/run.ts'), 'refinery', 'run', 'app', '--no-sling'],
      { cwd: townDir, env: cleanEnv(), stdio: 'ignore' },
    );
    const exited = new Promise((res) => child.on('close', res));
    const deadline = Date.now() + 45_000;
    while (mrOf(req.mr).status !== 'running' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(mrOf(req.mr).status).toBe('running');
    child.kill('SIGKILL');
    await exited;
    expect(main()).toBe(before);
    await new Promise((res) => setTimeout(res, 4500)); // the orphaned gate (sleep 4) ends on its own
    const r = gtJson<{ outcomes: { status: string }[] }>(townDir, ['refinery', 'run', 'app', '--no-sling']);
    expect(r.outcomes.map((o) => o.status)).toEqual(['requeued', 'merged']);
    expect(git(repo, ['rev-list', '--count', `${before}..main`]).trim()).toBe('1');
    expect(beadOf(req.bead).status).toBe('closed');
  });

  it('never lets two processes merge the same rig at once', async () => {
    setRig({ gates: { test: { command: 'sleep 1', timeout_seconds: 30 } } });
    request({ 'l.txt': 'l\n' });
    const [x, y] = await Promise.all([
      processQueue(town, 'app', { sling: false }),
      processQueue(town, 'app', { sling: false }),
    ]);
    expect([x.status, y.status].sort()).toEqual(['busy', 'done']);
    expect([...x.outcomes, ...y.outcomes].filter((o) => o.status === 'merged')).toHaveLength(1);
  });

  it('gt mq list, retry and reject; gt refinery status; a "pr" rig is no longer refused (test/refinery-pr.test.ts lands through PRs)', () => {
    setRig({ gates: { test: { command: 'exit 1', timeout_seconds: 30 } } });
    const f = request({ 'm.txt': 'm\n' });
    const run = gtJson<{ outcomes: { status: string }[]; gate_runs: number }>(townDir, [
      'refinery',
      'run',
      'app',
      '--no-sling',
    ]);
    expect(run.outcomes.map((o) => o.status)).toEqual(['gate-failed']);
    const list = gtJson<{ id: string; status: string }[]>(townDir, [
      'mq',
      'list',
      '--rig',
      'app',
      '--status',
      'failed',
    ]);
    expect(list.map((m) => m.id)).toContain(f.mr);
    expect(gtJson<{ status: string }>(townDir, ['mq', 'retry', f.mr]).status).toBe('queued');
    expect(
      gtJson<{ status: string; failure: string }>(townDir, ['mq', 'reject', f.mr, '-m', 'not wanted']),
    ).toMatchObject({ status: 'rejected', failure: 'rejected: not wanted' });
    expectFailure(gt(townDir, ['mq', 'retry', 'mr-nope']), 2, /no merge request mr-nope/);
    const status = gtJson<{ rig: string; counts: Record<string, number> }[]>(townDir, ['refinery', 'status']);
    expect(status[0]).toMatchObject({ rig: 'app', counts: expect.objectContaining({ rejected: expect.any(Number) }) });
    expect(gt(townDir, ['refinery', 'status']).stdout).toMatch(/^app → main {2}strategy mr, batch 1, push auto/m);
    setRig({ merge_strategy: 'pr' });
    const pr = gt(townDir, ['refinery', 'run', 'app']);
    expect(pr.stderr).not.toMatch(/not supported yet/);
    expect(pr.code, pr.stderr).toBe(0);
    expect(gt(townDir, ['refinery', 'status']).stdout).toMatch(/^app → main {2}strategy pr,/m);
  }, 180_000);

  it('pushes what lands to an origin that can take it, and reads origin back to verify', async () => {
    // A rig cloned from a bare repository: origin accepts pushes to main.
    const origin = join(base, 'web origin.git');
    git(base, ['clone', '-q', '--bare', join(base, 'app src'), origin]);
    gtJson(townDir, ['rig', 'add', 'web', origin]);
    const webRepo = join(townDir, 'web', '.repo.git');
    const bead = withStore((s) => createBead(s, { title: 'web change' }).id);
    const wt = join(base, 'web scratch');
    git(webRepo, ['worktree', 'add', '-q', '-b', `polecat/w/${bead}`, wt, 'main']);
    writeFileSync(join(wt, 'w.txt'), 'w\n');
    git(wt, ['add', '-A']);
    git(wt, ['-c', 'user.name=P', '-c', 'user.email=p@x', 'commit', '-q', '-m', 'web change']);
    const head = git(wt, ['rev-parse', 'HEAD']).trim();
    git(wt, ['checkout', '-q', '--detach']);
    withStore((s) => enqueueMergeRequest(s, { rig: 'web', bead, branch: `polecat/w/${bead}`, head }));
    const r = await processQueue(loadTown(townDir, cleanEnv()), 'web', { sling: false });
    expect(r.outcomes.map((o) => o.status)).toEqual(['merged']);
    const landed = git(webRepo, ['rev-parse', 'main']).trim();
    expect(git(origin, ['rev-parse', 'main']).trim()).toBe(landed);
    // The app rig's origin is a non-bare clone with main checked out and clean: what landed there reached it too.
    expect(git(join(base, 'app src'), ['rev-parse', 'main']).trim()).toBe(main());
    expect(git(join(base, 'app src'), ['status', '--porcelain'])).toBe('');
  });

  function updateMrRunning(id: string, mergeCommit: string | null): void {
    withStore((s) => updateMr(s, id, { status: 'running', attempts: 1, merge_commit: mergeCommit }));
  }
});
