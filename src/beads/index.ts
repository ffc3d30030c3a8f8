// Beads: the store library (model, ids, readiness, SQLite, the JSONL ledger and its merge, formulas).
export * from './model.ts';
export { Store, type StoreOptions } from './store.ts';
export { findBeadsDir, type BeadsLocation } from './location.ts';
export { initStore, registerMergeDriver, type InitResult } from './init.ts';
export { resolveId } from './resolve.ts';
export { createBead, createBeads, insertBead, type CreateInput } from './create.ts';
export { updateBead, applyUpdate, claimBead, claimInTx, closeBeads, reopenBeads, deleteBeads, deleteInTx, type UpdateInput, type ClaimOutcome } from './update.ts';
export { addDependency, removeDependency, dependencyTree, findCycles, cyclesOf, type DepTreeNode } from './deps.ts';
export { listBeads, readyBeads, claimReady, blockedBeads, beadStats, type ListFilter, type ReadyFilter, type Page, type BlockedBead, type Stats, type SortKey } from './query.ts';
export { addComment, insertComment, listComments, allLabels, eventsOf, type BeadEvent } from './comments.ts';
export { getBead, getDetails, allDetails, dependentsOf } from './rows.ts';
export { parseLedger, toLedgerLine, beadFromRecord, type LedgerProblem } from './ledger.ts';
export { exportLedger, importLedgerText, importBeads, ledgerInSync, type ImportResult } from './ledger-sync.ts';
export { refreshAll } from './graph.ts';
export { computeBlocked, computeAllBlocked, type BlockingView } from './blocked.ts';
export { runDoctor, type DoctorCheck } from './doctor.ts';
export * from './formula/index.ts';
export * from './molecule/index.ts';
