// Releasing a hook (gt unsling, a forced re-sling): stop the worker cleanly, bead back to open and unassigned,
// the polecat idle. Its worktree stays: it may hold work, and gc removes it only when it holds none.
import { GtError, TOWN_EVENTS } from '../../kernel/index.ts';
import { applyUpdate, getBead, resolveId, type Store } from '../../beads/index.ts';
import { parseAddress, rigNames, type TownContext } from '../../town/index.ts';
import { identityOf, stopAgent, withStore } from '../sessions/index.ts';
import { getPolecat, polecatOfBead, updatePolecat, type Polecat } from '../polecats/index.ts';
import { recordTownEvent } from '../../town/index.ts';
import { dequeueSling, queuedSling } from '../sling/queue.ts';

export interface UnslingResult {
  bead: string;
  /** The status it had (hooked, in_progress, or queued when it was only waiting in the sling queue). */
  was: string;
  /** The polecat that held it, if one did. */
  polecat: string | null;
  session_stopped: boolean;
}

/** Release `beadRef` from whoever holds it. Refused for a bead that is neither hooked, in progress nor queued. */
export async function unsling(
  town: TownContext,
  beadRef: string,
  opts: { reason?: string; actor?: string } = {},
): Promise<UnslingResult> {
  const found = withStore(town, (s) => {
    const id = resolveId(s, beadRef);
    const b = getBead(s.db, id)!;
    return {
      id,
      status: b.status,
      assignee: b.assignee,
      queued: queuedSling(s, id) !== undefined,
      polecat: polecatOfBead(s, id) ?? holderPolecat(town, s, b.assignee),
    };
  });
  const held = found.status === 'hooked' || found.status === 'in_progress';
  if (!held && !found.queued && !found.polecat) {
    throw new GtError('GT_NOT_HOOKED', `${found.id} is not on any hook (status ${found.status})`, {
      kind: 'usage',
      hint: 'gt hooks list shows what is hooked where',
    });
  }
  let stopped = false;
  if (found.polecat)
    stopped = (
      await stopAgent(town, identityOf(town, { kind: 'polecat', rig: found.polecat.rig, name: found.polecat.name }))
    ).stopped;
  withStore(town, (s) =>
    releaseInStore(s, found.id, found.polecat, {
      reason: opts.reason ?? 'unslung',
      ...(opts.actor ? { actor: opts.actor } : {}),
    }),
  );
  return {
    bead: found.id,
    was: held ? found.status : 'queued',
    polecat: found.polecat ? `${found.polecat.rig}/${found.polecat.name}` : null,
    session_stopped: stopped,
  };
}

/** The store half of a release, in one write: bead open and unassigned, polecat idle, queue entry gone, event. */
export function releaseInStore(
  s: Store,
  bead: string,
  p: Polecat | undefined,
  e: { reason: string; actor?: string },
): void {
  s.write(() => {
    const b = getBead(s.db, bead);
    if (b && b.status !== 'closed' && (b.status === 'hooked' || b.status === 'in_progress' || b.assignee)) {
      applyUpdate(s, bead, { status: 'open', assignee: null });
    }
    if (p) updatePolecat(s, p.rig, p.name, { bead: null, state: 'idle', hook_state: 'archived' });
    dequeueSling(s, bead);
    recordTownEvent(s, {
      kind: TOWN_EVENTS.hook.released,
      subject: bead,
      reason: e.reason,
      data: { polecat: p ? `${p.rig}/${p.name}` : null },
      ...(e.actor ? { actor: e.actor } : {}),
    });
  });
}

function holderPolecat(town: TownContext, s: Store, assignee: string | null): Polecat | undefined {
  if (!assignee || !rigNames(town).includes(assignee.split('/')[0] ?? '')) return undefined;
  try {
    const a = parseAddress(town, assignee);
    return a.kind === 'polecat' ? getPolecat(s, a.rig, a.name) : undefined;
  } catch {
    return undefined;
  }
}
