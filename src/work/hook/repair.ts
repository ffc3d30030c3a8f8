// gt hooks repair (work half): bring every polecat's hook back to a consistent state, reporting each repair.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { applyUpdate, assignedWithStatus, getBead, type Store } from '../../beads/index.ts';
import { TOWN_EVENTS } from '../../kernel/index.ts';
import { addWorktree, branchExists, listWorktrees, pruneWorktrees, revParse } from '../../git/index.ts';
import { loadRig, rigNames, type TownContext } from '../../town/index.ts';
import { withStore } from '../sessions/index.ts';
import { deletePolecat, getPolecat, listPolecats, updatePolecat, type Polecat } from '../polecats/index.ts';
import { recordTownEvent } from '../../town/index.ts';
import { applyTree, listSnapshots } from './snapshot.ts';
import { enqueueSling } from '../sling/queue.ts';

export interface HookRepair {
  kind: 'pruned-worktree' | 'recreated-worktree' | 'cleared-lock' | 'requeued' | 'cleared-hook' | 'forgot-polecat';
  subject: string;
  detail: string;
}

/** A lock file older than this is left over from a killed process. */
const STALE_LOCK_MS = 60_000;

export function repairHooks(town: TownContext): HookRepair[] {
  const out: HookRepair[] = [];
  for (const rig of rigNames(town)) {
    const repo = town.paths.repo(rig);
    if (!existsSync(repo)) continue;
    out.push(...pruneStale(repo), ...clearStaleLocks(repo));
    const cfg = loadRig(town, rig);
    for (const p of withStore(town, (s) => listPolecats(s, rig))) {
      if (!existsSync(p.worktree)) out.push(...recreate(town, p, cfg.default_branch));
    }
  }
  out.push(...withStore(town, (s) => s.write(() => reconcileBeads(town, s))));
  withStore(town, (s) => {
    for (const r of out)
      recordTownEvent(s, {
        actor: 'gt hooks repair',
        kind: TOWN_EVENTS.repair[r.kind],
        subject: r.subject,
        reason: r.detail,
      });
  });
  return out;
}

function pruneStale(repo: string): HookRepair[] {
  const gone = listWorktrees(repo).filter((w) => !w.bare && !existsSync(w.path));
  if (gone.length === 0) return [];
  pruneWorktrees(
    repo,
    gone.map((w) => w.path),
  );
  return gone.map((w) => ({
    kind: 'pruned-worktree' as const,
    subject: w.path,
    detail: `git forgot the worktree at ${w.path} (its directory was gone)`,
  }));
}

function clearStaleLocks(repo: string): HookRepair[] {
  const dirs = [
    repo,
    ...(existsSync(join(repo, 'worktrees'))
      ? readdirSync(join(repo, 'worktrees')).map((d) => join(repo, 'worktrees', d))
      : []),
  ];
  const out: HookRepair[] = [];
  for (const d of dirs) {
    for (const f of ['index.lock', 'HEAD.lock', 'config.lock']) {
      const path = join(d, f);
      try {
        if (Date.now() - statSync(path).mtimeMs < STALE_LOCK_MS) continue;
      } catch {
        continue;
      }
      rmSync(path, { force: true });
      out.push({ kind: 'cleared-lock', subject: path, detail: `removed ${f} left by a process that died` });
    }
  }
  return out;
}

/** A polecat whose worktree directory is gone: back from its branch (plus its newest snapshot), else from the snapshot. */
function recreate(town: TownContext, p: Polecat, defaultBranch: string): HookRepair[] {
  const repo = town.paths.repo(p.rig);
  const address = `${p.rig}/${p.name}`;
  const snap = listSnapshots(town, p.rig, p.name)[0];
  const hasBranch = p.branch !== null && branchExists(repo, p.branch);
  if (!hasBranch && !snap) {
    if (p.bead) return [];
    withStore(town, (s) => deletePolecat(s, p.rig, p.name));
    return [
      {
        kind: 'forgot-polecat',
        subject: address,
        detail: 'its worktree, branch and snapshots were all gone and it held no bead',
      },
    ];
  }
  const branch = p.branch ?? `polecat/${p.name}`;
  if (hasBranch) addWorktree(repo, p.worktree, branch);
  else addWorktree(repo, p.worktree, branch, { resetBranch: true, startPoint: snap!.parent ?? defaultBranch });
  let from = hasBranch ? `branch ${branch}` : `snapshot ${snap!.ref}`;
  if (snap && (!hasBranch || snap.parent === revParse(p.worktree, 'HEAD'))) {
    applyTree(p.worktree, snap.commit);
    if (hasBranch) from += ` and snapshot ${snap.ref}`;
  }
  withStore(town, (s) => updatePolecat(s, p.rig, p.name, { branch }));
  return [{ kind: 'recreated-worktree', subject: address, detail: `recreated ${p.worktree} from ${from}` }];
}

/**
 * Beads and polecat rows that disagree: a bead hooked to a polecat that no longer holds it goes back on the sling
 * queue of its rig; a polecat row naming a bead that is not assigned to it lets go of it.
 */
function reconcileBeads(town: TownContext, s: Store): HookRepair[] {
  const out: HookRepair[] = [];
  const rigs = new Set(rigNames(town));
  const hooked = assignedWithStatus(s, 'hooked');
  for (const b of hooked) {
    const [rig = '', name = '', extra] = b.assignee.split('/');
    if (!rigs.has(rig) || !name || extra !== undefined || name === 'refinery' || name === 'witness') continue;
    const holder = getPolecat(s, rig, name);
    if (holder?.bead === b.id) continue;
    applyUpdate(s, b.id, { status: 'open', assignee: null });
    enqueueSling(s, { bead: b.id, rig });
    out.push({
      kind: 'requeued',
      subject: b.id,
      detail: `${b.assignee} no longer holds it; back on the sling queue of ${rig}`,
    });
  }
  for (const p of listPolecats(s)) {
    if (!p.bead) continue;
    const b = getBead(s.db, p.bead);
    if (b && b.assignee === `${p.rig}/${p.name}` && b.status !== 'closed') continue;
    updatePolecat(s, p.rig, p.name, {
      bead: null,
      state: 'idle',
      hook_state: b?.status === 'closed' ? 'completed' : 'archived',
    });
    out.push({
      kind: 'cleared-hook',
      subject: `${p.rig}/${p.name}`,
      detail: `${p.bead} is ${b ? (b.status === 'closed' ? 'closed' : `assigned to ${b.assignee ?? 'nobody'}`) : 'gone'}; the polecat is idle`,
    });
  }
  return out;
}
