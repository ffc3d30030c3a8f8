// Hooks: what a polecat holds (bead + worktree), releasing it, snapshots of its worktree, listing and repair.
export { hookOf, listHooks, suspensionOf, type HookView, type WorkHook } from './show.ts';
export { unsling, releaseInStore, type UnslingResult } from './release.ts';
export {
  snapshotWorktree,
  restoreSnapshot,
  listSnapshots,
  applyTree,
  snapshotPrefix,
  SNAPSHOTS_KEPT,
  type Snapshot,
  type SnapshotResult,
  type RestoreResult,
} from './snapshot.ts';
export { repairHooks, type HookRepair } from './repair.ts';
export { restartsOnHook, settleRestarts } from './restarts.ts';
export {
  stopPolecat,
  startPolecat,
  resumeHook,
  nukePolecat,
  type PolecatStopResult,
  type PolecatStartResult,
  type ResumeResult,
  type NukeResult,
} from './lifecycle.ts';
export { attachHook, detachHook, type AttachResult, type DetachResult } from './attach.ts';
