// What one refinery run carries (the rig, its store and worktree, the outcomes so far) and the lock that keeps two
// processes from merging the same rig at once: shared by the queue loop, the landing of a batch and the origin sync.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { tryAcquire, breakIfStale, lockPath, type LockHandle } from '../agents/session-lock.ts';
import type { Store } from '../beads/index.ts';
import type { RigConfig, TownContext } from '../town/index.ts';
import type { Committer, DeliveryTarget } from './git-ops.ts';
import type { PrOutcome } from './pr.ts';

export type MergeOutcome =
  | { mr: string; bead: string; status: 'merged'; commit: string; branch_deleted: boolean; branch_note?: string }
  | { mr: string; bead: string; status: 'recovered-merged'; commit: string }
  | { mr: string; bead: string; status: 'requeued'; reason: string }
  | { mr: string; bead: string; status: 'conflict'; files: string[]; rework_bead: string; slung: string; note?: string }
  | {
      mr: string;
      bead: string;
      status: 'gate-failed' | 'gate-timeout';
      gate: string;
      output: string;
      rework_bead: string;
      slung: string;
      note?: string;
    }
  | { mr: string; bead: string; status: 'error'; reason: string }
  | PrOutcome;

export interface Run {
  town: TownContext;
  rig: RigConfig;
  store: Store;
  repo: string;
  wt: string;
  who: Committer;
  actor: string;
  target: DeliveryTarget | undefined;
  sling: boolean;
  outcomes: MergeOutcome[];
  gateRuns: number;
  emit(o: MergeOutcome): void;
}
/** The lock that keeps two processes from merging the same rig at once. */
export function refineryLockPath(town: TownContext, rig: string): string {
  return lockPath(town.paths.runtime, `refinery-${rig}`);
}

export function takeLock(path: string): LockHandle | undefined {
  mkdirSync(dirname(path), { recursive: true });
  // Gates may run for hours: only a dead holder is broken, never a slow one.
  breakIfStale(path, 7 * 24 * 3600_000);
  return tryAcquire(path);
}
