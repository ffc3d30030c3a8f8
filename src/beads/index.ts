// Beads: the store library (model, ids, readiness, SQLite, the JSONL ledger and its merge, formulas).
export * from './model.ts';
export { Store, type StoreOptions } from './store.ts';
export type { Db, Row } from './sqlite.ts';
export { leaveWalOnClose } from './sqlite.ts';
export { latestVersion, type SchemaPart, type Migration } from './schema.ts';
export { findBeadsDir, rigPrefixOf, type BeadsLocation } from './location.ts';
export { initStore, registerMergeDriver, refreshMergeDriver, driverApplies, type InitResult } from './init.ts';
export { ledgerConflict, assertLedgerResolved } from './ledger-guard.ts';
export { adoptGoBeads, findGoBeadsDir, isGoBeadsDir, type Adoption } from './adopt.ts';
export { resolveId } from './resolve.ts';
export { validatePrefix, prefixFromName } from './ids.ts';
export { createBead, createBeads, insertBead, type CreateInput } from './create.ts';
export {
  updateBead,
  applyUpdate,
  claimBead,
  claimInTx,
  closeBeads,
  reopenBeads,
  deleteBeads,
  deleteInTx,
  type UpdateInput,
  type ClaimOutcome,
} from './update.ts';
export { addDependency, removeDependency, dependencyTree, findCycles, cyclesOf, type DepTreeNode } from './deps.ts';
export {
  latestAssigned,
  listBeads,
  readyBeads,
  claimReady,
  blockedBeads,
  beadStats,
  type EdgeCounts,
  type ListFilter,
  type ReadyFilter,
  type Page,
  type BlockedBead,
  type Stats,
  type SortKey,
} from './query.ts';
export { addComment, insertComment, listComments, allLabels, eventsOf, type BeadEvent } from './comments.ts';
export { getBead, getDetails, allDetails, dependentsOf, depsOf, otherRecords } from './rows.ts';
export { parseLedger, type LedgerProblem } from './ledger.ts';
export { toLedgerLine, toRecord, beadFromRecord, ID_PATTERN } from './record.ts';
export { exportLedger, importLedgerText, importBeads, ledgerInSync, type ImportResult } from './ledger-sync.ts';
export { refreshAll } from './graph.ts';
export {
  trackersOf,
  trackedBy,
  trackingEdges,
  trackerProgress,
  findLabelled,
  assignedWithStatus,
  readyAmong,
  beadsFingerprint,
  type TrackerProgress,
  type LabelledQuery,
} from './lookups.ts';
export { computeBlocked, computeAllBlocked, type BlockingView } from './blocked.ts';
export { runDoctor, type DoctorCheck } from './doctor.ts';
export * from './formula/index.ts';
export * from './molecule/index.ts';
