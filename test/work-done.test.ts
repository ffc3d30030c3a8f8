// gt done without agents: a town, a rig, polecat worktrees made with git, and gt done run as the polecat would.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBead, getBead, updateBead } from '../src/beads/index.ts';
import { listMrs, processQueue } from '../src/refinery/index.ts';
import { countTownEvents, loadTown, openTownStore, type TownContext } from '../src/town/index.ts';
import { listInbox } from '../src/work/mail/index.ts';
import { getPolecat, insertPolecat } from '../src/work/polecats/index.ts';
import { cleanEnv } from './support/bd.ts';
import { commitAll, expectFailure, git, gt, gtJson, sourceRepo, tempDir } from './support/gt.ts';

interface DoneJson {
  outcome: string;
  mr: string | null;
  bead: string;
  committed_leftovers: boolean;
  commits: number;
  head: string;
}

describe('gt done', () => {
  let base = '';
  let townDir = '';
  let town: TownContext;
  let cleanup = (): void => {};
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(town);
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };
  /** A hooked bead and a polecat worktree on polecat/<name>/<bead> from main, as sling would leave them. */
  const hook = (name: string, title: string): { bead: string; wt: string; address: string } => {
    const bead = withStore((s) => createBead(s, { title, priority: 2 }).id);
    const wt = join(townDir, 'app', 'polecats', name);
    const branch = `polecat/${name}/${bead}`;
    git(join(townDir, 'app', '.repo.git'), ['worktree', 'add', '-q', '-b', branch, wt, 'main']);
    const baseCommit = git(wt, ['rev-parse', 'HEAD']).trim();
    withStore((s) => {
      insertPolecat(s, {
        rig: 'app',
        name,
        worktree: wt,
        state: 'working',
        bead,
        branch,
        base: baseCommit,
        hook_state: 'active',
        agent: 'sim',
      });
      updateBead(s, bead, { status: 'hooked', assignee: `app/${name}` });
    });
    return { bead, wt, address: `app/${name}` };
  };

  beforeAll(() => {
    const t = tempDir('gt done');
    base = t.dir;
    cleanup = t.cleanup;
    townDir = join(base, 'town');
    gtJson(base, ['install', townDir]);
    sourceRepo(join(base, 'app src'), 'main', { 'a.txt': 'one\n' });
    gtJson(townDir, ['rig', 'add', 'app', join(base, 'app src')]);
    town = loadTown(townDir, cleanEnv());
  });
  afterAll(() => cleanup());

  it('commits leftovers as the polecat, queues one merge request, and leaves the bead in progress with its assignee', () => {
    const { bead, wt, address } = hook('nux', 'Add b');
    writeFileSync(join(wt, 'b.txt'), 'b\n');
    const r = gtJson<DoneJson>(wt, ['done', '-m', 'added b'], { env: { GT_ADDRESS: address } });
    expect(r).toMatchObject({ outcome: 'enqueued', bead, committed_leftovers: true, commits: 1 });
    expect(git(wt, ['log', '-1', '--format=%an <%ae>'])).toContain('app/nux <app.nux@gastown.local>');
    expect(git(wt, ['status', '--porcelain'])).toBe('');
    // The branch in the bare repo is the pushed head.
    expect(git(join(townDir, 'app', '.repo.git'), ['rev-parse', `polecat/nux/${bead}`]).trim()).toBe(r.head);
    withStore((s) => {
      expect(getBead(s.db, bead)).toMatchObject({ status: 'in_progress', assignee: address });
      expect(getPolecat(s, 'app', 'nux')).toMatchObject({ state: 'idle', hook_state: 'completed', bead });
      expect(listMrs(s, { rig: 'app' }).filter((m) => m.bead === bead)).toEqual([
        expect.objectContaining({ status: 'queued', head: r.head, polecat: 'nux', priority: 2 }),
      ]);
      expect(countTownEvents(s, { kind: 'done.completed', subject: bead })).toBe(1);
    });
    // Run again (the agent retries after a crash): the same request, never a second one.
    const again = gtJson<DoneJson>(wt, ['done'], { env: { GT_ADDRESS: address } });
    expect(again).toMatchObject({ outcome: 'already-enqueued', mr: r.mr, committed_leftovers: false });
    withStore((s) => expect(listMrs(s, { rig: 'app' }).filter((m) => m.bead === bead)).toHaveLength(1));
  });

  it('resumes a done that crashed after the push and before the enqueue, enqueueing exactly once', () => {
    const { bead, wt, address } = hook('slit', 'Add c');
    // What a killed gt done leaves: the leftovers committed and the branch ref moved, but no merge request.
    writeFileSync(join(wt, 'c.txt'), 'c\n');
    commitAll(wt, 'c');
    withStore((s) => expect(listMrs(s).filter((m) => m.bead === bead)).toHaveLength(0));
    const results = [1, 2, 3].map(() => gtJson<DoneJson>(wt, ['done'], { env: { GT_ADDRESS: address } }));
    expect(results.map((r) => r.outcome)).toEqual(['enqueued', 'already-enqueued', 'already-enqueued']);
    withStore((s) => expect(listMrs(s).filter((m) => m.bead === bead)).toHaveLength(1));
  });

  it('closes a bead whose branch has no new commits as "no changes", without a merge request', () => {
    const { bead, wt } = hook('toast', 'Nothing to do');
    // Found from the directory when GT_ADDRESS is not set.
    const r = gtJson<DoneJson>(join(wt), ['done']);
    expect(r).toMatchObject({ outcome: 'no-changes', commits: 0, mr: null });
    withStore((s) => {
      expect(getBead(s.db, bead)).toMatchObject({ status: 'closed', close_reason: 'no changes' });
      expect(listMrs(s).filter((m) => m.bead === bead)).toHaveLength(0);
      expect(getPolecat(s, 'app', 'toast')).toMatchObject({ state: 'idle', bead: null });
    });
    // Run again: the hook is empty now, which is not an error.
    expect(gtJson<DoneJson>(wt, ['done'], { env: { GT_ADDRESS: 'app/toast' } }).outcome).toBe('nothing-hooked');
  });

  it('escalates without a merge request: a note on the bead and mail to the Mayor', () => {
    const { bead, wt, address } = hook('rictus', 'Decide the API');
    writeFileSync(join(wt, 'wip.txt'), 'half\n');
    const r = gtJson<DoneJson>(wt, ['done', '--status', 'escalated', '-m', 'which API version?'], {
      env: { GT_ADDRESS: address },
    });
    expect(r).toMatchObject({ outcome: 'escalated', mr: null, committed_leftovers: true });
    withStore((s) => {
      expect(getBead(s.db, bead)?.notes).toContain('Escalated by app/rictus: which API version?');
      expect(listMrs(s).filter((m) => m.bead === bead)).toHaveLength(0);
      const mail = listInbox(s, 'mayor');
      expect(mail.map((m) => m.subject)).toContain(`Escalation: ${bead} Decide the API`);
    });
  });

  it('hands over to the refinery: the request lands, the bead closes with the commit, the polecat is free again', async () => {
    const { bead, wt, address } = hook('morsov', 'Add m');
    writeFileSync(join(wt, 'm.txt'), 'm\n');
    const r = gtJson<DoneJson>(wt, ['done'], { env: { GT_ADDRESS: address } });
    const run = await processQueue(town, 'app', { sling: false });
    expect(run.outcomes).toContainEqual(expect.objectContaining({ mr: r.mr, status: 'merged', branch_deleted: true }));
    const main = git(join(townDir, 'app', '.repo.git'), ['rev-parse', 'main']).trim();
    expect(git(join(townDir, 'app', '.repo.git'), ['show', 'main:m.txt'])).toBe('m\n');
    withStore((s) => {
      expect(getBead(s.db, bead)).toMatchObject({ status: 'closed' });
      expect(getBead(s.db, bead)?.close_reason).toBe(`merged ${main}`);
      expect(getPolecat(s, 'app', 'morsov')).toMatchObject({ state: 'idle', bead: null, hook_state: 'archived' });
    });
    // The merged branch is gone; the idle worktree sits on the same commit, detached, with nothing lost.
    expect(git(wt, ['status', '--porcelain'])).toBe('');
    expect(git(wt, ['rev-parse', 'HEAD']).trim()).toBe(r.head);
  });

  it('follows the merge mode of the sling: direct lands at once without gates, local stays on its branch', () => {
    const rigJson = join(townDir, 'app', 'rig.json');
    const rig = readFileSync(rigJson, 'utf8');
    writeFileSync(rigJson, JSON.stringify({ ...JSON.parse(rig), gates: { test: { command: 'exit 1' } } }, null, 2));
    try {
      const direct = hook('dag', 'Add d');
      withStore((s) => updateBead(s, direct.bead, { metadata: { merge: 'direct' } }));
      writeFileSync(join(direct.wt, 'd.txt'), 'd\n');
      expect(gtJson<DoneJson>(direct.wt, ['done'], { env: { GT_ADDRESS: direct.address } })).toMatchObject({
        outcome: 'landed',
        bead: direct.bead,
      });
      expect(git(join(townDir, 'app', '.repo.git'), ['show', 'main:d.txt'])).toBe('d\n');
      withStore((s) => expect(getBead(s.db, direct.bead)).toMatchObject({ status: 'closed' }));

      const local = hook('keeper', 'Add l');
      withStore((s) => updateBead(s, local.bead, { metadata: { merge: 'local' } }));
      writeFileSync(join(local.wt, 'l.txt'), 'l\n');
      const r = gtJson<DoneJson>(local.wt, ['done'], { env: { GT_ADDRESS: local.address } });
      expect(r).toMatchObject({ outcome: 'left-on-branch', mr: null, commits: 1 });
      expect(git(join(townDir, 'app', '.repo.git'), ['show', `polecat/keeper/${local.bead}:l.txt`])).toBe('l\n');
      expect(
        spawnSync('git', ['-C', join(townDir, 'app', '.repo.git'), 'cat-file', '-e', 'main:l.txt']).status,
      ).not.toBe(0);
      withStore((s) => {
        expect(getBead(s.db, local.bead)?.status).toBe('closed');
        expect(listMrs(s, { rig: 'app' }).filter((m) => m.bead === local.bead)).toEqual([]);
      });
    } finally {
      writeFileSync(rigJson, rig);
    }
  });

  it('refuses outside a polecat, and a bad status, saying what to do', () => {
    expectFailure(gt(townDir, ['done']), 2, /GT_ADDRESS is not set/);
    expectFailure(
      gt(townDir, ['done', '--status', 'finished'], { env: { GT_ADDRESS: 'app/nux' } }),
      2,
      /invalid done status "finished"/,
    );
    expectFailure(gt(townDir, ['done'], { env: { GT_ADDRESS: 'app/nobody' } }), 2, /no polecat named "nobody"/);
  });
});
