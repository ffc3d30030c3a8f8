// Bookkeeping after git has landed a request: MR merged, bead closed with the commit, hook released, event logged.
import { TOWN_EVENTS } from '../kernel/index.ts';
import { closeBeads, getBead, type Store } from '../beads/index.ts';
import { getPolecat, updatePolecat } from '../work/polecats/index.ts';
import { getMr, recordTownEvent, type MergeRequest } from './mr-store.ts';
import { markMerged, reworkedInto } from './mr-store.ts';

/**
 * Mark `mr` merged as `commit` and close its bead "merged <commit>"; a rework bead landing also closes the bead
 * whose failed request it reworked. Idempotent: a request already merged is left as it is.
 */
export function completeMerged(
  store: Store,
  mr: MergeRequest,
  commit: string,
  actor: string,
  reason = 'landed',
  via?: string,
): MergeRequest {
  store.write(() => {
    markMerged(store, mr.id, commit);
    const closing = [mr.bead, ...reworkedBy(store, mr.bead)];
    for (const id of closing) {
      const b = getBead(store.db, id);
      if (b && b.status !== 'closed')
        closeBeads(
          store,
          [id],
          `merged ${commit}${via ? ` via ${via}` : ''}${id === mr.bead ? '' : ` (rework ${mr.bead})`}`,
        );
    }
    if (mr.polecat) {
      const p = getPolecat(store, mr.rig, mr.polecat);
      if (p && p.bead === mr.bead && p.state !== 'working')
        updatePolecat(store, mr.rig, mr.polecat, { bead: null, hook_state: 'archived' });
    }
    recordTownEvent(store, {
      actor,
      kind: TOWN_EVENTS.refinery.merged,
      subject: mr.bead,
      reason,
      data: { mr: mr.id, commit, branch: mr.branch },
    });
  });
  return getMr(store, mr.id)!;
}

/** Beads whose failed merge request was handed to `bead` as its rework (followed transitively). */
function reworkedBy(store: Store, bead: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const r of reworkedInto(store, bead)) {
    if (seen.has(r)) continue;
    seen.add(r);
    out.push(r, ...reworkedBy(store, r, seen));
  }
  return out;
}
