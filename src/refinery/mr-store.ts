// Merge-request rows (`merge_requests`, owned by src/work/merge-requests.ts) and the town event log entries the
// merge loop writes.
export {
  getMr, listMrs, enqueueMergeRequest, updateMr, mrCounts, unansweredFailures, lastMerged, requeueMr, markMerged, reworkedInto, mrsFingerprint,
  MERGE_REQUESTS_PART, type MrStatus, type MergeRequest, type EnqueueInput, type EnqueueResult,
} from '../work/merge-requests.ts';

/** Decisions go to the town's event log (read by `gt status` and the dashboard). */
export { recordTownEvent } from '../town/index.ts';

export type MergeMode = 'mr' | 'direct' | 'local' | 'pr';

/**
 * How a bead's work lands: `gt sling --merge` (kept in its metadata) when given, else the rig's `merge_strategy`.
 * mr: the refinery's queue; direct: at once, no gates; local: left on its branch; pr: through a pull request.
 */
export function mergeModeOf(bead: { metadata: Record<string, unknown> | null } | undefined, rigDefault: MergeMode = 'mr'): MergeMode {
  const m = bead?.metadata?.merge;
  return m === 'mr' || m === 'direct' || m === 'local' || m === 'pr' ? m : rigDefault;
}
