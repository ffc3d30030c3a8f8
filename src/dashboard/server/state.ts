// What every route shares: the town (reloaded after a config edit, since the context itself is read-only), the
// page key (the CSRF secret), how requests are authenticated, and a short-lived store handle.
import { loadTown, openTownStore, type TownContext } from '../../town/index.ts';
import type { Store } from '../../beads/index.ts';

/** The address the dashboard acts as: the person at the keyboard. */
export const OVERSEER = 'overseer';

export interface DashState {
  town(): TownContext;
  /** Re-read town.json and settings after the dashboard wrote them. */
  reload(): void;
  readonly csrf: string;
  readonly auth: 'token';
  /** Set once the live feed exists: tell open pages to refetch these panels. */
  hint: (panels: string[]) => void;
}

export function dashState(town: TownContext, csrf: string, auth: 'token'): DashState {
  let current = town;
  return {
    town: () => current,
    reload: () => {
      current = loadTown(current.root, current.env);
    },
    csrf,
    auth,
    hint: () => {},
  };
}

/** Run `fn` with the town store opened as the overseer, closed afterwards. */
export function withTownStore<T>(town: TownContext, fn: (s: Store) => T): T {
  const store = openTownStore(town, { actor: OVERSEER });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
