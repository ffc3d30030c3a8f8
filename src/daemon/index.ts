// The daemon: one per town, a reconcile loop doing the witness's and deacon's duties by rule (restart dead sessions
// with hooked work, nudge then escalate stuck ones, merge queues, convoys, the sling queue, snapshots, idle sessions).
export { runDaemon, type RunOutcome, type RunOptions } from './run.ts';
export {
  startDaemon,
  stopDaemon,
  daemonStatus,
  ensureDaemon,
  readDaemonLog,
  gtEntry,
  type DaemonStatus,
  type StartOutcome,
  type StopOutcome,
} from './lifecycle.ts';
export { tick, emptyMemory, type DaemonMemory, type TickReport, type StepReport, type TickOptions } from './tick.ts';
export {
  planDead,
  planStuck,
  planReap,
  planSnapshots,
  stuckCandidates,
  type PolecatObservation,
  type DeadDecision,
  type ActivityMemory,
  type StuckVerdict,
  type ReapDecision,
} from './plan.ts';
export { daemonTimings, MAX_RESTARTS, type DaemonTimings } from './timings.ts';
export { defaultPorts, type TickPorts, type Severity } from './ports.ts';
export { recordEvent, recentEvents, DAEMON_ACTOR, type TownEvent, type NewEvent } from './events.ts';
export { daemonFiles, type DaemonInfo } from './files.ts';
export { townStatus, type TownStatus } from './town-status.ts';
export { keepTownApi, townApiRunning, stopTownApi, type TownApiKeeper } from './town-api.ts';
