// The convoy of a sling (Gas Town's auto-convoy), so `gt convoy list` shows all work in flight: a batch gets one
// convoy tracking every bead of it not yet in one (fed, as a convoy created with beads); a lone bead not yet in an
// open convoy gets "Work: <title>", tracked only (staged: unslinging it leaves it unslung).
import { getBead } from '../../beads/index.ts';
import type { TownContext } from '../../town/index.ts';
import { createConvoy, openConvoysOf } from '../convoy/index.ts';
import { withStore } from '../sessions/index.ts';

/** Track `beads` in a new convoy unless open convoys already track every one of them; its id, if one was made. */
export function trackBatch(
  town: TownContext,
  beads: readonly string[],
  rig: string,
  actor?: string,
): string | undefined {
  const untracked = withStore(town, (s) => beads.filter((b) => openConvoysOf(s, b).length === 0));
  if (untracked.length === 0) return undefined;
  return createConvoy(town, {
    name: `Batch: ${untracked.length} beads to ${rig}`,
    beads: untracked,
    bySling: true,
    ...(actor ? { actor } : {}),
  }).id;
}

/** Track a lone slung bead in a convoy "Work: <title>" unless an open convoy tracks it; its id, if one was made. */
export function trackWork(town: TownContext, bead: string, actor?: string): string | undefined {
  const title = withStore(town, (s) =>
    openConvoysOf(s, bead).length === 0 ? (getBead(s.db, bead)?.title ?? bead) : undefined,
  );
  if (title === undefined) return undefined;
  const name = `Work: ${title}`.replace(/\s+/g, ' ').slice(0, 200);
  return createConvoy(town, { name, beads: [bead], fed: false, bySling: true, ...(actor ? { actor } : {}) }).id;
}
