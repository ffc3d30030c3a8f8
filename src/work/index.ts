// Work: what agents do in the town (mail, nudges, and who is acting).
export * from './mail/index.ts';
export { currentAddress, addressFromRole, type CurrentAddress, type AddressSource } from './whoami.ts';
export {
  nudgeAgent,
  agentSession,
  agentNameFor,
  readySignalsFor,
  startHint,
  NUDGE_MODES,
  type NudgeAgentOptions,
  type NudgeAgentResult,
} from './nudge-agent.ts';
export * from './convoy/index.ts';
export {
  escalate,
  parseSeverity,
  SEVERITIES,
  SEVERITY_PRIORITY,
  type Severity,
  type EscalateOptions,
  type EscalateResult,
} from './escalate.ts';
export {
  handoff,
  restartAfterHandoff,
  restartFresh,
  HANDOFF_COOLDOWN_MS,
  type HandoffOptions,
  type HandoffResult,
  type RestartOutcome,
} from './handoff.ts';
export * from './polecats/index.ts';
export * from './hook/index.ts';
export {
  sling,
  drainSlingQueue,
  decideClaim,
  decideSlot,
  recordTownEvent,
  listTownEvents,
  parseTarget,
  type SlingResult,
  type SlingStatus,
  type SlingTarget,
  type TownEvent,
} from './sling/index.ts';
export * from './done/index.ts';
