// Git: a typed wrapper over the git command line.
export { git, gitTry, repoRoot, configGet, configSet, type GitOptions } from './git.ts';
export { identityStamp, gitUserName } from './identity.ts';
export {
  gitVersion, cloneBare, cloneRepo, initRepo, isRepoTop, headBranch, setHeadBranch, branchExists, listBranches, hasCommits,
  createInitialCommit, commitAll, readFileAt, isUnborn, type GitIdentity,
} from './repo.ts';
export { addWorktree, removeWorktree, listWorktrees, pruneWorktrees, heldWork, holdsWork, describeHeldWork, type WorktreeEntry, type HeldWork } from './worktree.ts';
export { listCommits, describeCommits, snapshotWorkTree, writeBundle, type CommitLine } from './bundle.ts';
export {
  revParse, isAncestor, rebaseOnto, canMergeTree, mergeTree, fastForward, pushAndVerify,
  type RebaseOutcome, type MergeTreeOutcome, type PushOutcome,
} from './integrate.ts';
export { worktreeTree, applyTree } from './snapshot.ts';
