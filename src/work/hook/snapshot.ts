// Hook snapshots: the full state of a polecat's worktree (uncommitted and untracked files included) as a commit
// on a hidden ref of the rig's bare repo, `refs/gt/hooks/<polecat>/<ms timestamp>`. Made with a temporary index,
// so the worktree and its own index are never touched; restored on request (rollback) or by repair.
import { existsSync } from 'node:fs';
import { GtError } from '../../kernel/index.ts';
import { applyTree, commitTree, deleteRef, listRefs, revParse, setRef, treeOf, worktreeTree } from '../../git/index.ts';
import type { TownContext } from '../../town/index.ts';
import { withStore } from '../sessions/index.ts';
import { getPolecat, updatePolecat, type Polecat } from '../polecats/index.ts';

/** Kept for the callers of this module; the implementation lives in src/git/snapshot.ts. */
export { applyTree };

/** Snapshots kept per polecat; older refs are deleted (their commits stay until git gc). */
export const SNAPSHOTS_KEPT = 20;

export interface Snapshot {
  ref: string;
  commit: string;
  /** The commit HEAD was on when it was taken. */
  parent: string | null;
  at: string;
}

export type SnapshotResult = { status: 'saved' | 'unchanged'; polecat: string; snapshot: Snapshot };

const ID = { name: 'Gas Town', email: 'gastown@localhost' };

export function snapshotPrefix(name: string): string {
  return `refs/gt/hooks/${name}/`;
}

/** The polecat's snapshots, newest first. */
export function listSnapshots(town: TownContext, rig: string, name: string): Snapshot[] {
  return listRefs(town.paths.repo(rig), snapshotPrefix(name), { descending: true }).map(({ ref, commit, parent }) => ({
    ref,
    commit,
    parent,
    at: new Date(Number(ref.slice(ref.lastIndexOf('/') + 1))).toISOString(),
  }));
}

/** Save the worktree's state, unless it equals the newest snapshot (same tree on the same HEAD). */
export function snapshotWorktree(town: TownContext, rig: string, name: string): SnapshotResult {
  const p = requirePolecat(town, rig, name);
  if (!existsSync(p.worktree))
    throw new GtError('GT_NO_WORKTREE', `polecat ${rig}/${name} has no worktree at ${p.worktree}`, {
      hint: 'gt hooks repair recreates it from its branch or latest snapshot',
    });
  const tree = worktreeTree(p.worktree);
  const head = revParse(p.worktree, 'HEAD') ?? null;
  const repo = town.paths.repo(rig);
  const last = listSnapshots(town, rig, name)[0];
  if (last && last.parent === head && treeOf(repo, last.commit) === tree) {
    return { status: 'unchanged', polecat: `${rig}/${name}`, snapshot: last };
  }
  const msg = `gt hook snapshot of ${rig}/${name}${p.bead ? ` (${p.bead})` : ''}`;
  const commit = commitTree(repo, tree, head ? [head] : [], `${msg}\n`, ID);
  const lastMs = last ? Number(last.ref.slice(last.ref.lastIndexOf('/') + 1)) : 0;
  const ms = Math.max(Date.now(), lastMs + 1);
  const ref = `${snapshotPrefix(name)}${ms}`;
  setRef(repo, ref, commit);
  for (const old of listSnapshots(town, rig, name).slice(SNAPSHOTS_KEPT)) deleteRef(repo, old.ref);
  withStore(town, (s) => updatePolecat(s, rig, name, { last_snapshot: ref }));
  return {
    status: 'saved',
    polecat: `${rig}/${name}`,
    snapshot: { ref, commit, parent: head, at: new Date(ms).toISOString() },
  };
}

export interface RestoreResult {
  polecat: string;
  restored: string;
  /** The snapshot of the state just before the restore, so a rollback can itself be undone. */
  saved_before: string;
}

/**
 * Make the worktree's files what the snapshot holds (the newest, or `to`: a ref, its timestamp, or a commit);
 * HEAD does not move, so the restored state shows as uncommitted changes. The state before is snapshotted first.
 */
export function restoreSnapshot(town: TownContext, rig: string, name: string, to?: string): RestoreResult {
  const p = requirePolecat(town, rig, name);
  const snaps = listSnapshots(town, rig, name);
  const snap =
    to === undefined
      ? snaps[0]
      : snaps.find((s) => s.ref === to || s.ref.endsWith(`/${to}`) || s.commit.startsWith(to));
  if (!snap) {
    throw new GtError(
      'GT_NO_SNAPSHOT',
      to ? `polecat ${rig}/${name} has no snapshot "${to}"` : `polecat ${rig}/${name} has no snapshots`,
      {
        kind: 'usage',
        hint: snaps.length
          ? `snapshots: ${snaps
              .slice(0, 5)
              .map((s) => s.ref.slice(s.ref.lastIndexOf('/') + 1))
              .join(', ')}`
          : `take one with gt hook snapshot ${rig}/${name}`,
      },
    );
  }
  const before = snapshotWorktree(town, rig, name).snapshot.ref;
  applyTree(p.worktree, snap.commit);
  return { polecat: `${rig}/${name}`, restored: snap.ref, saved_before: before };
}

function requirePolecat(town: TownContext, rig: string, name: string): Polecat {
  const p = withStore(town, (s) => getPolecat(s, rig, name));
  if (!p)
    throw new GtError('GT_POLECAT_NOT_FOUND', `no polecat ${rig}/${name}`, {
      kind: 'usage',
      hint: 'gt polecat list shows the polecats',
    });
  return p;
}
