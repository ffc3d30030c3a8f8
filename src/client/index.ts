// The town API's client side, for gt and bd in a workspace away from the town (docs/town-api.md).
export {
  callTown,
  commandOf,
  isHookCall,
  runInTown,
  stdinFor,
  townClient,
  type RunReply,
  type TownClient,
} from './remote.ts';
export { reportUsage, type UsageReport } from './usage.ts';
export {
  cloneWorkspace,
  CREDENTIAL_HELPER,
  postCommitHook,
  myHook,
  pushWorkspace,
  snapshotWorkspace,
  townGitEnv,
  townGitUrl,
  type CloneResult,
  type MyHook,
  type PushResult,
  type SnapshotPush,
} from './workspace.ts';
