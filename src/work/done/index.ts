// gt done: a polecat hands in its hooked work (commit, branch, merge request, polecat idle).
export {
  done,
  doneAddress,
  parseDoneStatus,
  DONE_STATUSES,
  type DoneStatus,
  type DoneOptions,
  type DoneResult,
  type DoneOutcome,
  type DoneQueue,
} from './done.ts';
