// Reading convoys from the town store: resolve a convoy id, its tracked beads, and the rows its progress needs.
import { GtError } from '../../kernel/index.ts';
import { getBead, listBeads, resolveId, trackedBy, trackersOf, type Bead, type Store } from '../../beads/index.ts';
import { convoyStatus, type ConvoyStatus, type MergeRequestRow, type PolecatRow } from './status.ts';
import { polecatsHolding } from '../polecats/table.ts';
import { mrsOfBeads } from '../merge-requests.ts';

/** A convoy bead by id or unique prefix; unknown ids and beads of another type are refused by name. */
export function requireConvoy(store: Store, input: string): Bead {
  let id: string;
  try {
    id = resolveId(store, input);
  } catch (e) {
    if (e instanceof GtError && e.code === 'BD_NOT_FOUND') {
      throw new GtError('GT_CONVOY_NOT_FOUND', `no convoy matches "${input}"`, {
        kind: 'usage',
        hint: 'see the convoys with gt convoy list --all',
      });
    }
    throw e;
  }
  const b = getBead(store.db, id)!;
  if (b.type !== 'convoy') {
    throw new GtError('GT_NOT_A_CONVOY', `${id} is a ${b.type}, not a convoy`, {
      kind: 'usage',
      hint: 'see the convoys with gt convoy list --all',
    });
  }
  return b;
}

/** A bead to track, by id or unique prefix; refused when it is itself a convoy. */
export function requireTrackable(store: Store, input: string): Bead {
  const b = getBead(store.db, resolveId(store, input))!;
  if (b.type === 'convoy') {
    throw new GtError('GT_CONVOY_IN_CONVOY', `${b.id} is a convoy; a convoy tracks work beads, not other convoys`, {
      kind: 'usage',
      hint: `add the beads it tracks instead (gt convoy show ${b.id} lists them)`,
    });
  }
  return b;
}

/** Ids a convoy tracks, in the order they were added. */
export function trackedIds(store: Store, convoyId: string): string[] {
  return trackedBy(store, convoyId);
}

/** Open convoys (all of them with `all`), newest first. */
export function listConvoyBeads(store: Store, opts: { all?: boolean } = {}): Bead[] {
  return listBeads(store, {
    type: ['convoy'],
    ...(opts.all ? { includeClosed: true } : { status: ['open'] }),
    sort: 'newest',
  }).beads;
}

/** Ids of open convoys that track `beadId`. */
export function openConvoysOf(store: Store, beadId: string): string[] {
  return trackersOf(store, beadId, { type: 'convoy', open: true });
}

/** Read everything a convoy's progress needs and compute it. */
export function readConvoyStatus(store: Store, convoy: Bead, now = Date.now()): ConvoyStatus {
  const tracked = trackedIds(store, convoy.id)
    .map((id) => getBead(store.db, id))
    .filter((b): b is Bead => b !== undefined);
  const ids = tracked.map((b) => b.id);
  const mergeRequests: MergeRequestRow[] = mrsOfBeads(store, ids);
  const polecats: PolecatRow[] = polecatsHolding(store, ids);
  const reworks = new Map<string, Bead>();
  for (const m of mergeRequests) {
    const r = m.rework_bead ? getBead(store.db, m.rework_bead) : undefined;
    if (r) reworks.set(r.id, r);
  }
  return convoyStatus({ convoy, tracked, mergeRequests, polecats, reworks, now });
}
