// Agent sessions: identities, starting and stopping agents in the town's tmux, their state, and the agents table.
export { identityOf, requireWorkdir, type AgentIdentity, type SessionRole } from './identity.ts';
export { startAgent, primeInstruction, withStore, type StartRequest, type StartResult } from './start.ts';
export { stopAgent, type StopResult } from './stop.ts';
export { listAgents, classifyState, stateReason, signalsOf, type AgentView, type PaneObservation } from './state.ts';
export {
  getAgent,
  listAgentRecords,
  recordStart,
  recordSessionId,
  setAgentState,
  setHookedBead,
  clearHookedBead,
  recordSlung,
  forgetUnstarted,
  agentsFingerprint,
  AGENTS_PART,
  type AgentRecord,
  type AgentState,
} from '../../agents/table.ts';
export { hookedBeadOf } from './hook.ts';
export { readLastExit, listLastExits, exitSummary, howItEnded, lastWords, type LastExit } from './last-exit.ts';
export { ensureShims, roleEnv, sessionEnvScript } from './env.ts';
export {
  placedOn,
  prepareRemote,
  requireHostRoom,
  choosePolecatPlace,
  placeClaimed,
  unplaceClaimed,
  polecatsAtWork,
  setTokenIssuer,
  townApiPort,
  remoteWorkdir,
  isHostLost,
  moveHere,
  reconcileHosts,
  type TokenIssuer,
  type RemoteStart,
} from './remote.ts';
export { markStarting, sessionsStarting } from './starting.ts';
export { agentRuntimeDir, gtArgv, prepareRuntime } from './runtime-setup.ts';
export { townTmux } from '../../town/index.ts';
export { listHookSettings, repairHookSettings, type AgentHooks, type HookFileState } from './hook-settings.ts';
