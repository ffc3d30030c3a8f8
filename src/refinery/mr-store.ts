// Merge-request rows (`merge_requests`, owned by src/work/merge-requests.ts) and the town event log entries the
// merge loop writes.
export {
  getMr,
  listMrs,
  enqueueMergeRequest,
  updateMr,
  mrCounts,
  unansweredFailures,
  lastMerged,
  requeueMr,
  markMerged,
  reworkedInto,
  mrsFingerprint,
  MERGE_REQUESTS_PART,
  type MrStatus,
  type MergeRequest,
  type EnqueueInput,
  type EnqueueResult,
} from '../work/merge-requests.ts';

/** Decisions go to the town's event log (read by `gt status` and the dashboard). */
export { recordTownEvent } from '../town/index.ts';

/** How a bead's work lands (work/sling keeps it in the bead's metadata; the rig's merge_strategy is the default). */
export { mergeModeOf, type LandingMode as MergeMode } from '../work/sling/index.ts';
