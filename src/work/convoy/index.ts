// Convoys: batches of beads (any rig) tracked together, landed when all their work is merged, fed to polecats.
export {
  convoyStatus,
  trackedState,
  convoyMeta,
  isLanded,
  progressBar,
  formatAge,
  TRACKED_STATES,
  type ConvoyStatus,
  type ConvoyInputs,
  type ConvoyMeta,
  type TrackedView,
  type TrackedState,
  type MergeRequestRow,
  type PolecatRow,
} from './status.ts';
export {
  createConvoy,
  addToConvoy,
  addIssue,
  closeConvoy,
  listConvoys,
  showConvoy,
  setConvoyFed,
  type CreateConvoyInput,
  type AddResult,
} from './manage.ts';
export { openConvoysOf } from './read.ts';
export { refreshConvoy, type RefreshResult } from './refresh.ts';
export { checkConvoys, type CheckOptions, type CheckResult, type LandedConvoy } from './check.ts';
export {
  feedConvoys,
  strandedConvoys,
  type FeedOptions,
  type FeedResult,
  type FeedDecision,
  type SlingFn,
  type StrandedConvoy,
} from './feed.ts';
export { alertHuman, type AlertFn } from './alert.ts';
