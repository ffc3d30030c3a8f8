// Landing one batch of the merge queue: each request rebased onto the one before, conflicts sent back as rework, the
// gates run on the stack's tip (bisecting a red stack to find the culprits), then the default branch fast-forwarded.
import { GtError, isGtError, messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { getBead } from '../beads/index.ts';
import {
  advanceBranch,
  canReplayInMemory,
  checkoutForGates,
  deleteMergedBranch,
  listWorktreesOf,
  replayOnto,
  pushAndVerify,
  rebaseOnto,
  resetWorktree,
  revParse,
} from './git-ops.ts';
import { runGates } from './gates.ts';
import { completeMerged } from './land.ts';
import { listMrs, mergeModeOf, recordTownEvent, updateMr, type MergeRequest } from './mr-store.ts';
import { bisectLand, type TryOutcome } from './plan.ts';
import { recordFailure, slingRework, type MergeFailure } from './rework.ts';
import { deliver } from './origin.ts';
import type { Run } from './run.ts';

interface Stacked {
  mr: MergeRequest;
  commit: string;
}

type StackOutcome = { ok: true; stack: Stacked[] } | { ok: false; mr: MergeRequest; failure: MergeFailure };

/** Rebase each request on the previous one, starting from the default branch: the stack whose tip the gates test. */
function buildStack(
  r: Run,
  mrs: readonly MergeRequest[],
  onConflict: 'stop' | 'skip',
): { stack: Stacked[]; conflicts: { mr: MergeRequest; failure: MergeFailure }[] } {
  const stack: Stacked[] = [];
  const conflicts: { mr: MergeRequest; failure: MergeFailure }[] = [];
  let tip = revParse(r.repo, `refs/heads/${r.rig.default_branch}`)!;
  for (const mr of mrs) {
    const o: StackOutcome = stackOne(r, mr, tip);
    if (o.ok) {
      stack.push(o.stack[0]!);
      tip = o.stack[0]!.commit;
    } else {
      conflicts.push({ mr, failure: o.failure });
      if (onConflict === 'stop') break;
    }
  }
  return { stack, conflicts };
}

function stackOne(r: Run, mr: MergeRequest, tip: string): StackOutcome {
  const o = canReplayInMemory(r.repo) ? replayOnto(r.repo, mr.head, tip, r.who) : rebaseOnto(r.wt, mr.head, tip, r.who);
  return o.ok
    ? { ok: true, stack: [{ mr, commit: o.commit }] }
    : { ok: false, mr, failure: { kind: 'conflict', files: o.files, onto: tip, detail: o.message } };
}

/** Land a batch: conflicts out, then gates on the stack (bisecting a red one). A returned string stops the run. */
export async function landBatch(r: Run, batch: MergeRequest[]): Promise<string | undefined> {
  const now = r.store.now();
  for (const mr of batch) updateMr(r.store, mr.id, { status: 'running', attempts: mr.attempts + 1, started_at: now });
  if (!canReplayInMemory(r.repo)) resetWorktree(r.wt, r.rig.default_branch);
  const first = buildStack(r, batch, 'skip');
  for (const c of first.conflicts) await fail(r, c.mr, c.failure);
  let prebuilt: Stacked[] | undefined = first.stack;
  let stop: string | undefined;
  const tryLand = async (group: MergeRequest[]): Promise<TryOutcome<MergeFailure>> => {
    let stack: Stacked[];
    if (prebuilt && prebuilt.length === group.length) {
      stack = prebuilt;
    } else {
      if (!canReplayInMemory(r.repo)) resetWorktree(r.wt, r.rig.default_branch);
      const built = buildStack(r, group, 'stop');
      if (built.conflicts.length > 0) return { ok: false, failure: built.conflicts[0]!.failure };
      stack = built.stack;
    }
    prebuilt = undefined;
    // Work slung with `--merge direct` lands without the gates (the sender chose so); any other request in the group runs them.
    const direct = group.every((mr) => mergeModeOf(getBead(r.store.db, mr.bead), r.rig.merge_strategy) === 'direct');
    const gateSet = direct ? {} : r.rig.gates;
    const hasGates = Object.values(gateSet).some(Boolean);
    if (hasGates && stack.length > 0) checkoutForGates(r.wt, stack[stack.length - 1]!.commit);
    const gates = await runGates(r.wt, gateSet, r.town.env);
    if (gates.ran.length > 0) r.gateRuns++;
    if (!gates.ok)
      return {
        ok: false,
        failure: { kind: 'gate', gate: gates.gate, reason: gates.reason, exit: gates.exit, output: gates.output },
      };
    stop ??= land(r, stack);
    return { ok: true };
  };
  const res = await bisectLand(
    first.stack.map((s) => s.mr),
    async (group) => {
      if (stop) return { ok: true }; // a push failure ends the run: later groups go back to the queue below
      return tryLand(group);
    },
  );
  for (const c of res.culprits) await fail(r, c.item, c.failure);
  if (stop) {
    for (const mr of listMrs(r.store, { rig: r.rig.name, status: ['running'] }))
      updateMr(r.store, mr.id, { status: 'queued', merge_commit: null });
  }
  return stop;
}

/** Push (when configured), fast-forward the default branch, then record every request of the stack as merged. */
function land(r: Run, stack: Stacked[]): string | undefined {
  if (stack.length === 0) return undefined;
  const branch = r.rig.default_branch;
  const from = revParse(r.repo, `refs/heads/${branch}`)!;
  const tip = stack[stack.length - 1]!.commit;
  // Written first, so a run killed after the fast-forward is recognised as landed (recover()).
  r.store.write(() => {
    for (const s of stack) updateMr(r.store, s.mr.id, { merge_commit: s.commit });
  });
  try {
    if (r.target?.kind === 'push') pushAndVerify(r.repo, tip, branch);
    advanceBranch(r.repo, branch, tip, from);
  } catch (e) {
    const why = messageOf(e);
    recordTownEvent(r.store, {
      actor: r.actor,
      kind: TOWN_EVENTS.refinery.pushFailed,
      subject: r.rig.name,
      reason: why,
      data: { mrs: stack.map((s) => s.mr.id) },
    });
    for (const s of stack) r.emit({ mr: s.mr.id, bead: s.mr.bead, status: 'error', reason: why });
    if (isGtError(e)) return e.hint ? `${why} (${e.hint})` : why;
    throw e;
  }
  // Every stacked commit is an ancestor of the tip, so the tip on the branch confirms them all.
  if (revParse(r.repo, `refs/heads/${branch}`) !== tip)
    throw new GtError(
      'GT_MERGE_UNVERIFIED',
      `${branch} is not at ${tip} after landing ${stack.map((s) => s.mr.id).join(', ')}`,
    );
  const worktrees = listWorktreesOf(r.repo);
  for (const s of stack) {
    completeMerged(r.store, s.mr, s.commit, r.actor);
    const del = deleteMergedBranch(r.repo, s.mr.branch, s.mr.head, worktrees);
    r.emit({
      mr: s.mr.id,
      bead: s.mr.bead,
      status: 'merged',
      commit: s.commit,
      branch_deleted: del.deleted,
      ...(del.reason ? { branch_note: del.reason } : {}),
    });
  }
  deliver(r, tip);
  return undefined;
}

async function fail(r: Run, mr: MergeRequest, failure: MergeFailure): Promise<void> {
  const rework = recordFailure(r.store, mr, failure, r.rig.default_branch, r.actor);
  const handed = await slingRework(r.town, r.store, rework, r.rig.name, r.sling);
  const base = {
    mr: mr.id,
    bead: mr.bead,
    rework_bead: rework,
    slung: handed.slung,
    ...(handed.note ? { note: handed.note } : {}),
  };
  if (failure.kind === 'conflict') r.emit({ ...base, status: 'conflict', files: failure.files });
  else if (failure.kind === 'gate')
    r.emit({
      ...base,
      status: failure.reason === 'timeout' ? 'gate-timeout' : 'gate-failed',
      gate: failure.gate,
      output: failure.output,
    });
}
