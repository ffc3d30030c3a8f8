// The convoy of a batch sling: one convoy (src/work/convoy) tracking every bead of the batch not yet in one.
import type { TownContext } from '../../town/index.ts';
import { createConvoy, openConvoysOf } from '../convoy/index.ts';
import { withStore } from '../sessions/index.ts';

/** Track `beads` in a new convoy unless open convoys already track every one of them; its id, if one was made. */
export function trackBatch(town: TownContext, beads: readonly string[], rig: string, actor?: string): string | undefined {
  const untracked = withStore(town, (s) => beads.filter((b) => openConvoysOf(s, b).length === 0));
  if (untracked.length === 0) return undefined;
  return createConvoy(town, { name: `Batch: ${untracked.length} beads to ${rig}`, beads: untracked, ...(actor ? { actor } : {}) }).id;
}
