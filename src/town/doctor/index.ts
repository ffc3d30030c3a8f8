// gt doctor: checks of the tools, agent CLIs and town integrity, and the safe repairs `--fix` applies.
export { runTownDoctor, planChecks, type DoctorOptions } from './run.ts';
export {
  summarize,
  type DoctorCheck,
  type DoctorReport,
  type CheckStatus,
  type Repair,
  type PlannedCheck,
} from './types.ts';
export { versionAtLeast, toolCheck, TOOL_REQUIREMENTS } from './tools.ts';
export { agentNeeds, findOnPath } from './runtimes.ts';
export { sessionOwner, sessionCheck } from './sessions.ts';
export { lockCheck } from './locks.ts';
