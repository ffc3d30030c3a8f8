// `gt mq submit`: put a branch of a rig's clone (a polecat worktree or a crew clone) on the merge queue for a bead,
// without the rest of `gt done` (no leftovers committed, the polecat's state and session untouched).
import { realpathSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { GtError, usageError, TOWN_EVENTS } from '../kernel/index.ts';
import { commonGitDir, countCommits, headBranch, pushTo, repoRoot, revParse, setRef } from '../git/index.ts';
import { getBead, resolveId, type Bead, type Store } from '../beads/index.ts';
import { loadRig, openTownStore, parseAddress, recordTownEvent, rigNames, type TownContext } from '../town/index.ts';
import { getPolecat } from './polecats/index.ts';
import { enqueueMergeRequest, type MergeRequest } from './merge-requests.ts';

export interface SubmitInput {
  /** A directory inside `<town>/<rig>/…` (a polecat worktree or a crew clone). */
  cwd: string;
  /**
   * A branch already pushed to the rig's repository (a client of the town API pushed it from its own clone): the
   * rig, and the commit its `branch` must be at there. `cwd` is not read then.
   */
  pushed?: { rig: string; head: string };
  /** Default: the branch checked out in `cwd`. */
  branch?: string;
  /** Default: the bead the branch is named after (`polecat/<name>/<bead>`), else the polecat's hooked bead. */
  bead?: string;
  /** 0 (first) … 4; default the bead's priority. */
  priority?: number;
  actor: string;
}

export interface SubmitResult {
  mr: MergeRequest;
  /** False when this (rig, bead, head) was already queued: submitting twice queues once. */
  created: boolean;
  superseded: string[];
  rig: string;
  bead: string;
  branch: string;
  head: string;
  /** Commits on the branch that the rig's default branch lacks. */
  commits: number;
}

/** The rig (and polecat, when inside `<rig>/polecats/<name>`) a directory belongs to. */
function placeOf(town: TownContext, cwd: string): { rig: string; polecat?: string } {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const parts = relative(real(town.root), real(cwd)).split(sep);
  const rig = parts[0];
  if (!rig || rig.startsWith('..') || !rigNames(town).includes(rig)) {
    throw usageError(
      'GT_NOT_IN_RIG',
      `${cwd} is not inside a rig of this town, so there is no merge queue to submit to`,
      'run gt mq submit in a polecat worktree or a crew clone (<town>/<rig>/crew/<name>)',
    );
  }
  return parts[1] === 'polecats' && parts[2] ? { rig, polecat: parts[2] } : { rig };
}

function findBead(store: Store, ref: string): Bead | undefined {
  try {
    return getBead(store.db, resolveId(store, ref));
  } catch {
    return undefined;
  }
}

export function submitBranch(town: TownContext, input: SubmitInput): SubmitResult {
  if (input.pushed) return submitPushed(town, input, input.pushed);
  const place = placeOf(town, input.cwd);
  const cfg = loadRig(town, place.rig);
  const top = repoRoot(input.cwd);
  if (top === undefined)
    throw usageError(
      'GT_NOT_A_CLONE',
      `${input.cwd} is not in a git work tree`,
      'run gt mq submit in a polecat worktree or a crew clone',
    );
  const branch = input.branch ?? headBranch(input.cwd) ?? '';
  if (!branch)
    throw usageError(
      'GT_NO_BRANCH',
      `HEAD is detached in ${top}, so there is no branch to submit`,
      'check out your work branch, or name it: gt mq submit --branch <branch>',
    );
  if (branch === cfg.default_branch) {
    throw usageError(
      'GT_SUBMIT_DEFAULT',
      `${branch} is the rig's default branch; the merge queue lands work branches onto it`,
      'commit on a work branch (git switch -c <branch>) and submit that',
    );
  }
  const head = revParse(input.cwd, `refs/heads/${branch}`) ?? '';
  if (!head)
    throw usageError('GT_NO_BRANCH', `there is no branch "${branch}" in ${top}`, 'list branches with git branch');
  const store = openTownStore(town, { actor: input.actor });
  try {
    const bead = beadFor(store, place, branch, input.bead);
    if (bead.status === 'closed') {
      throw new GtError(
        'GT_BEAD_CLOSED',
        `${bead.id} ("${bead.title}") is closed${bead.close_reason ? `: ${bead.close_reason}` : ''}; there is nothing to land for it`,
        { kind: 'usage', hint: 'reopen it first (bd reopen <id>) or submit for another bead with --issue' },
      );
    }
    bringBranch(input.cwd, town.paths.repo(place.rig), branch, head);
    return enqueue(town, store, input, place, bead, branch, head);
  } finally {
    store.close();
  }
}

/** The branch pushed by a client: it must be in the rig's repository at the commit the client pushed. */
function submitPushed(town: TownContext, input: SubmitInput, pushed: { rig: string; head: string }): SubmitResult {
  if (!rigNames(town).includes(pushed.rig))
    throw usageError('GT_NO_RIG', `there is no rig "${pushed.rig}" in this town`, 'gt rig list shows the rigs');
  const cfg = loadRig(town, pushed.rig);
  const branch = input.branch ?? '';
  if (!branch) throw usageError('GT_NO_BRANCH', '--head needs --branch: the branch pushed to the rig');
  if (branch === cfg.default_branch)
    throw usageError(
      'GT_SUBMIT_DEFAULT',
      `${branch} is the rig's default branch; the merge queue lands work branches onto it`,
      'commit on a work branch (git switch -c <branch>) and submit that',
    );
  const there = revParse(town.paths.repo(pushed.rig), `refs/heads/${branch}`);
  if (there !== pushed.head)
    throw new GtError(
      'GT_NOT_PUSHED',
      `${branch} in rig ${pushed.rig} is ${there ? `at ${there.slice(0, 12)}` : 'not there'}, not at ${pushed.head.slice(0, 12)}`,
      { kind: 'usage', hint: 'push it first (gt mq submit does, run as a client with GT_TOWN_URL), then submit again' },
    );
  const actor = parseActor(town, input.actor);
  const place =
    actor?.rig === pushed.rig && actor.kind === 'polecat'
      ? { rig: pushed.rig, polecat: actor.name }
      : { rig: pushed.rig };
  const store = openTownStore(town, { actor: input.actor });
  try {
    const bead = beadFor(store, place, branch, input.bead);
    if (bead.status === 'closed')
      throw new GtError('GT_BEAD_CLOSED', `${bead.id} ("${bead.title}") is closed; there is nothing to land for it`, {
        kind: 'usage',
        hint: 'reopen it first (bd reopen <id>) or submit for another bead with --issue',
      });
    return enqueue(town, store, input, place, bead, branch, pushed.head);
  } finally {
    store.close();
  }
}

function parseActor(town: TownContext, actor: string): { kind: string; rig?: string; name?: string } | undefined {
  try {
    return parseAddress(town, actor) as { kind: string; rig?: string; name?: string };
  } catch {
    return undefined;
  }
}

/** Queue the merge request (once per rig, bead and head) and record it. */
function enqueue(
  town: TownContext,
  store: Store,
  input: SubmitInput,
  place: { rig: string; polecat?: string },
  bead: Bead,
  branch: string,
  head: string,
): SubmitResult {
  const cfg = loadRig(town, place.rig);
  const repo = town.paths.repo(place.rig);
  const commits = countCommits(repo, [head], [`refs/heads/${cfg.default_branch}`]);
  if (commits === 0) {
    throw usageError(
      'GT_NOTHING_TO_SUBMIT',
      `${branch} has no commits that ${cfg.default_branch} lacks, so there is nothing to merge`,
      'commit your work on the branch first',
    );
  }
  const r = store.write(() => {
    const q = enqueueMergeRequest(store, {
      rig: place.rig,
      bead: bead.id,
      polecat: place.polecat ?? null,
      branch,
      head,
      priority: input.priority ?? bead.priority,
    });
    if (q.created) {
      recordTownEvent(store, {
        actor: input.actor,
        kind: TOWN_EVENTS.done.completed,
        subject: bead.id,
        reason: `merge request ${q.mr.id} queued (gt mq submit)`,
        data: { mr: q.mr.id, branch, head, commits, superseded: q.superseded },
      });
    }
    return q;
  });
  return { ...r, rig: place.rig, bead: bead.id, branch, head, commits };
}

/** The bead a submission is for: --issue, else the bead the branch is named after, else the polecat's hook. */
function beadFor(
  store: Store,
  place: { rig: string; polecat?: string },
  branch: string,
  given: string | undefined,
): Bead {
  if (given !== undefined) {
    const b = findBead(store, given);
    if (!b) throw usageError('GT_NO_BEAD', `no bead ${given}`, 'check the id with gt bd list');
    return b;
  }
  const last = branch.split('/').at(-1) ?? '';
  const named = /^[a-z][a-z0-9]*-[a-z0-9.]+$/.test(last) ? findBead(store, last) : undefined;
  if (named) return named;
  const hooked = place.polecat ? getPolecat(store, place.rig, place.polecat)?.bead : undefined;
  const b = hooked ? findBead(store, hooked) : undefined;
  if (b) return b;
  throw usageError(
    'GT_WHICH_BEAD',
    `cannot tell which bead ${branch} is for (its name is no bead id and no polecat hook holds one)`,
    'name it: gt mq submit --issue <bead id>',
  );
}

/** Make the rig's bare repository hold `branch` at `head`: a polecat worktree shares it, a crew clone pushes. */
function bringBranch(cwd: string, repo: string, branch: string, head: string): void {
  const common = commonGitDir(cwd);
  const same = (a: string, b: string): boolean => {
    try {
      return realpathSync(a) === realpathSync(b);
    } catch {
      return false;
    }
  };
  if (same(common, repo)) {
    setRef(repo, `refs/heads/${branch}`, head, { why: 'gt mq submit' });
    return;
  }
  const r = pushTo(cwd, repo, `${head}:refs/heads/${branch}`);
  if (!r.ok) {
    throw new GtError(
      'GT_PUSH_REFUSED',
      `the rig's repository refused ${branch}: ${(
        r.output.split('\n').find((l) => l.includes('rejected') || l.includes('error')) ??
        r.output.split('\n')[0] ??
        ''
      ).trim()}`,
      {
        hint: `the branch there has commits yours lacks: bring them in (git pull ${repo} ${branch}) and submit again`,
      },
    );
  }
}
