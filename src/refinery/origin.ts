// The rig and the repository it came from: origin's new commits brought in (a rewritten origin stops the queue),
// landed work delivered back, and `gt refinery resync` after a rewrite.
import { GtError, messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { loadRig, openTownStore, type TownContext } from '../town/index.ts';
import {
  deliverToClone,
  isAncestor,
  parkWorktree,
  pushAndVerify,
  resyncFromOrigin,
  revParse,
  syncFromOrigin,
} from './git-ops.ts';
import { readRefineryState, updateRefineryState, type Delivered } from './state.ts';
import { recordTownEvent } from './mr-store.ts';
import { refineryLockPath, takeLock, type Run } from './run.ts';

/**
 * Bring origin's new commits in. Origin rewritten (force-pushed) under a rig that pushes stops the queue: every run
 * would rebase, gate and fail to push again. Returns the stop, recorded once in the state and the event log.
 */
export function syncOrigin(r: Run): { message: string; hint: string } | undefined {
  const branch = r.rig.default_branch;
  const s = syncFromOrigin(r.repo, branch);
  const state = readRefineryState(r.town, r.rig.name);
  if (s.state === 'diverged' && r.target?.kind === 'push') {
    const message = `origin's ${branch} was rewritten (it is at ${s.theirs!.slice(0, 12)}, which does not contain the rig's ${branch} at ${s.ours!.slice(0, 12)}): the merge queue of rig "${r.rig.name}" is stopped`;
    const hint = `gt refinery resync ${r.rig.name} moves the rig onto origin's ${branch} (keeping the old one as a branch), then gt refinery run ${r.rig.name}`;
    if (state.blocked?.ours !== s.ours || state.blocked?.theirs !== s.theirs) {
      updateRefineryState(r.town, r.rig.name, {
        blocked: { kind: 'origin-diverged', message, hint, ours: s.ours!, theirs: s.theirs!, since: r.store.now() },
      });
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.blocked,
        subject: r.rig.name,
        reason: message,
        data: { ours: s.ours, theirs: s.theirs },
      });
    }
    return { message, hint };
  }
  if (state.blocked && s.state !== 'unreachable') updateRefineryState(r.town, r.rig.name, { blocked: undefined });
  if (s.state !== 'up-to-date')
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.origin[s.state],
      subject: r.rig.name,
      reason: `origin ${branch}: ${s.state}`,
    });
  return undefined;
}

/**
 * Make sure the landed `commit` reaches the repository the rig came from. A push target already has it (land
 * pushes before it moves the branch); a local clone gets it through deliverToClone. A failure is kept in the state
 * (`undelivered`, a problem in gt status) and retried on every run until it succeeds; it never undoes the landing.
 */
export function deliver(r: Run, commit: string): void {
  const t = r.target;
  if (!t) return;
  const target = t.kind === 'push' ? t.url : t.path;
  const branch = r.rig.default_branch;
  if (t.kind === 'push') {
    // Landing pushes before it moves the branch; a catch-up run pushes a tip origin does not have yet.
    const seen = revParse(r.repo, `refs/gt/origin/${branch}`);
    if (!seen || !isAncestor(r.repo, commit, seen)) {
      try {
        pushAndVerify(r.repo, commit, branch);
      } catch (e) {
        updateRefineryState(r.town, r.rig.name, {
          undelivered: { target, commit, reason: messageOf(e), since: r.store.now() },
        });
        return;
      }
    }
    updateRefineryState(r.town, r.rig.name, {
      delivered: { target, ref: branch, commit, at: r.store.now() },
      undelivered: undefined,
    });
    return;
  }
  const before = readRefineryState(r.town, r.rig.name).undelivered;
  updateRefineryState(r.town, r.rig.name, {
    undelivered: {
      target,
      commit,
      reason: before?.reason ?? 'not delivered yet',
      since: before?.since ?? r.store.now(),
    },
  });
  try {
    const d = deliverToClone(r.repo, t.path, branch, commit);
    const delivered: Delivered = { target, ref: d.ref, commit, at: r.store.now(), ...(d.note ? { note: d.note } : {}) };
    updateRefineryState(r.town, r.rig.name, { delivered, undelivered: undefined });
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.delivered,
      subject: r.rig.name,
      reason: `${commit.slice(0, 12)} is on ${d.ref} in ${target}${d.note ? ` (${d.note})` : ''}`,
      data: { commit, ref: d.ref, target },
    });
  } catch (e) {
    const reason = messageOf(e);
    updateRefineryState(r.town, r.rig.name, {
      undelivered: { target, commit, reason, since: before?.since ?? r.store.now() },
    });
    if (before?.reason !== reason)
      recordTownEvent(r.store, {
        actor: r.actor,
        kind: TOWN_EVENTS.refinery.deliverFailed,
        subject: r.rig.name,
        reason,
        data: { commit, target },
      });
  }
}
export interface ResyncResult {
  rig: string;
  branch: string;
  state: 'moved' | 'fast-forwarded' | 'up-to-date' | 'origin-behind';
  from?: string;
  to?: string;
  /** The branch in the rig's repository that keeps the old tip (after a move). */
  kept?: string;
  repo: string;
}

/**
 * `gt refinery resync`: after origin was rewritten, move the rig's default branch onto origin's, keeping the old
 * tip on a branch (nothing is lost; its commits are never replayed onto the new history), and unblock the queue.
 */
export function resyncWithOrigin(town: TownContext, rigName: string): ResyncResult {
  const rig = loadRig(town, rigName);
  const repo = town.paths.repo(rigName);
  const lock = takeLock(refineryLockPath(town, rigName));
  if (!lock)
    throw new GtError('GT_MQ_BUSY', `another process is merging rig "${rigName}"`, {
      hint: 'wait for it to finish; gt refinery status shows the running pid',
    });
  const store = openTownStore(town, { actor: `${rigName}/refinery` });
  try {
    const r = resyncFromOrigin(repo, rig.default_branch);
    parkWorktree(town.paths.refinery(rigName), rig.default_branch);
    updateRefineryState(town, rigName, { blocked: undefined });
    if (r.state === 'moved') {
      recordTownEvent(store, {
        actor: `${rigName}/refinery`,
        kind: TOWN_EVENTS.refinery.resynced,
        subject: rigName,
        reason: `${rig.default_branch} moved from ${r.from!.slice(0, 12)} to origin's ${r.to!.slice(0, 12)}; the old tip is kept as ${r.kept}`,
        data: { ...r },
      });
    }
    return { rig: rigName, branch: rig.default_branch, repo, ...r };
  } finally {
    store.close();
    lock.release();
  }
}
