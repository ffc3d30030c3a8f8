// Polecats: worker agents' worktrees and their rows in the town store (names, creation, reuse, removal).
export { POLECAT_NAMES, nextPolecatName, polecatBranch } from './names.ts';
export {
  getPolecat,
  listPolecats,
  polecatOfBead,
  insertPolecat,
  updatePolecat,
  deletePolecat,
  workingCounts,
  polecatsHolding,
  suspendedHooks,
  markHookResumed,
  countRestart,
  setRestarts,
  polecatCounts,
  polecatsFingerprint,
  POLECATS_PART,
  type Polecat,
  type PolecatState,
  type HookState,
  type PolecatPatch,
} from './table.ts';
export { polecatHeldWork } from './held.ts';
export {
  createPolecat,
  buildPolecatWorktree,
  claimPolecatName,
  reusablePolecats,
  idlePolecat,
  rebranchPolecat,
  discardPolecat,
  copyWorktreeIncludes,
  runSetupGate,
  type CreatePolecatOptions,
} from './create.ts';
export {
  findPolecat,
  polecatStatus,
  listPolecatStatus,
  removePolecat,
  gcPolecats,
  type PolecatStatus,
  type GcResult,
} from './manage.ts';
