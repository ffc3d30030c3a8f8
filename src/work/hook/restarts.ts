// Daemon restarts belong to one hook: a polecat that used up two restarts on its last bead starts its next hook
// with none. Counted from the town's event log, so whatever hooked the bead (a sling, a queue drain), the count
// is the daemon's restarts since that hook began.
import type { Store } from '../../beads/index.ts';
import { TOWN_EVENTS } from '../../kernel/index.ts';
import { setRestarts } from '../polecats/table.ts';
import { countTownEvents, lastTownEvent } from '../../town/index.ts';

interface Hooked {
  rig: string;
  name: string;
  bead: string | null;
  restarts: number;
}

/**
 * The restarts on the polecat's current hook: the stored count, unless the log shows the bead was hooked to it
 * after restarts that belong to an earlier hook (then only the restarts since). A row with no `sling.hooked`
 * event (made by hand) keeps its stored count.
 */
export function restartsOnHook(store: Store, p: Hooked): number {
  if (p.restarts === 0 || !p.bead) return p.restarts;
  const address = `${p.rig}/${p.name}`;
  const hooked = lastTownEvent(store, { kind: TOWN_EVENTS.sling.hooked, subject: p.bead, polecat: address })?.id;
  if (hooked === undefined) return p.restarts;
  const since = countTownEvents(store, { kind: TOWN_EVENTS.daemon.restart, afterId: hooked, polecat: address });
  return Math.min(p.restarts, since);
}

/** Bring the stored count in line with restartsOnHook (only if the row still holds that bead and count). */
export function settleRestarts(store: Store, p: Hooked): number {
  const n = restartsOnHook(store, p);
  if (n !== p.restarts) {
    setRestarts(store, p, p.restarts, n);
  }
  return n;
}
