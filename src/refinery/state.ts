// What the refinery knows about a rig between runs (`.runtime/refinery/<rig>.json`): where its landed work was
// delivered, work not delivered yet, and a queue stopped until someone acts. Read by gt status and the dashboard.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../kernel/index.ts';
import type { TownContext } from '../town/index.ts';

export interface Delivered {
  /** The repository the rig came from (a path, or origin's URL). */
  target: string;
  /** The branch there that holds the work: the default branch, or `gt/<branch>` when it could not be moved. */
  ref: string;
  commit: string;
  at: string;
  /** Why the work went to `gt/<branch>` instead of the branch itself. */
  note?: string;
}

export interface RefineryState {
  delivered?: Delivered;
  /** Landed commits that are only in the rig's own repository (`<rig>/.repo.git`) until a delivery succeeds. */
  undelivered?: { target: string; commit: string; reason: string; since: string };
  /** The queue is stopped: nothing is gated or landed until the cause is fixed (see `hint`). */
  blocked?: { kind: 'origin-diverged'; message: string; hint: string; ours: string; theirs: string; since: string };
}

export function refineryStatePath(town: TownContext, rig: string): string {
  return join(town.paths.runtime, 'refinery', `${rig}.json`);
}

export function readRefineryState(town: TownContext, rig: string): RefineryState {
  const path = refineryStatePath(town, rig);
  if (!existsSync(path)) return {};
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return v && typeof v === 'object' ? (v as RefineryState) : {};
  } catch {
    return {};
  }
}

/** Change the rig's state (undefined fields are removed); written atomically. */
export function updateRefineryState(
  town: TownContext,
  rig: string,
  patch: Partial<Record<keyof RefineryState, RefineryState[keyof RefineryState] | undefined>>,
): RefineryState {
  const next = { ...readRefineryState(town, rig), ...patch } as Record<string, unknown>;
  for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
  const path = refineryStatePath(town, rig);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  return next as RefineryState;
}
