// Git: a typed wrapper over the git command line.
export { git, gitTry, repoRoot, configGet, configSet, type GitOptions } from './git.ts';
export { identityStamp, gitUserName } from './identity.ts';
export {
  gitVersion,
  cloneBare,
  cloneRepo,
  initRepo,
  isRepoTop,
  headBranch,
  setHeadBranch,
  branchExists,
  listBranches,
  hasCommits,
  createInitialCommit,
  commitAll,
  commitWorkTree,
  commonGitDir,
  readFileAt,
  isUnborn,
  isUnmerged,
  conflictStage,
  attributeOf,
  type GitIdentity,
} from './repo.ts';
export {
  addWorktree,
  checkoutRev,
  removeWorktree,
  dropWorktree,
  uncommittedFiles,
  listWorktrees,
  pruneWorktrees,
  cleanCheckout,
  heldWork,
  holdsWork,
  describeHeldWork,
  type WorktreeEntry,
  type HeldWork,
} from './worktree.ts';
export {
  listCommits,
  describeCommits,
  commitsBySource,
  snapshotWorkTree,
  writeBundle,
  type CommitLine,
  type SourcedCommit,
} from './bundle.ts';
export {
  revParse,
  isAncestor,
  rebaseOnto,
  canMergeTree,
  mergeTree,
  replayOnto,
  fastForward,
  pushAndVerify,
  pushRef,
  type RebaseOutcome,
  type MergeTreeOutcome,
  type PushOutcome,
  type PushRefOutcome,
} from './integrate.ts';
export { worktreeTree, applyTree } from './snapshot.ts';
export {
  setRef,
  deleteRef,
  listRefs,
  anyRefContains,
  treeOf,
  emptyRootCommits,
  countCommits,
  commitsBetween,
  commitsNotUpstream,
  commitTree,
  EMPTY_TREE,
  type RefEntry,
} from './refs.ts';
export { switchToNewBranch, deleteBranch, deleteBranchAt, type BranchDeletion } from './branch.ts';
export {
  remoteUrl,
  addRemote,
  renameRemote,
  isBareRepository,
  fetchFrom,
  syncBranch,
  mergeFastForward,
  type FetchOutcome,
  type SyncState,
  type MergeOutcome,
} from './sync.ts';
export { deliverToClone, operationInProgress, type CloneDelivery, type SideReason } from './deliver.ts';
