// The refinery: the merge queue of each rig (pure planner, git applier, gates, rework beads).
export {
  enqueueMergeRequest,
  getMr,
  listMrs,
  updateMr,
  recordTownEvent,
  mergeModeOf,
  type MergeRequest,
  type MergeMode,
  type MrStatus,
  type EnqueueInput,
  type EnqueueResult,
} from './mr-store.ts';
export {
  planQueue,
  planBatch,
  effectivePriority,
  bisectLand,
  AGING_MS,
  type QueueItem,
  type TryOutcome,
  type BisectResult,
} from './plan.ts';
export { runGates, tail, GATE_NAMES, OUTPUT_TAIL, type GateName, type GateResult } from './gates.ts';
export { processQueue, MAX_ATTEMPTS, type ProcessOptions, type ProcessResult } from './process.ts';
export { refineryLockPath, type MergeOutcome } from './run.ts';
export { resyncWithOrigin, type ResyncResult } from './origin.ts';
export { readRefineryState, refineryStatePath, type RefineryState, type Delivered } from './state.ts';
export { completeMerged } from './land.ts';
export { mergeQueue } from './done-port.ts';
export { describeFailure, type MergeFailure } from './rework.ts';
export {
  listQueue,
  refineryStatus,
  allRefineryStatus,
  retryMr,
  rejectMr,
  type QueuedView,
  type RefineryStatus,
} from './admin.ts';
export { prsOfMrs, prOfMr, listPrs, prSummary, markPrsDue, type PullRequestRow, type PrState } from './pr-store.ts';
export {
  prSettings,
  forgeFor,
  failingChecks,
  pendingChecks,
  latestVerdicts,
  type PrOutcome,
  type PrSettings,
} from './pr.ts';
export { withPullRequests, type MrWithPr } from './mr-view.ts';
