// Work: what agents do in the town (mail, nudges, and who is acting).
export * from './mail/index.ts';
export { currentAddress, addressFromRole, type CurrentAddress, type AddressSource } from './whoami.ts';
export {
  nudgeAgent, agentSession, agentNameFor, readySignalsFor, startHint, NUDGE_MODES,
  type NudgeAgentOptions, type NudgeAgentResult,
} from './nudge-agent.ts';
