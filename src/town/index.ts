// Town: the context (resolved once, read-only), its config files, and the town/rig/crew layout on disk.
export { findTownRoot, loadTown, resolveTown, type TownContext } from './context.ts';
export { townPaths, TOWN_GITIGNORE, type TownPaths } from './layout.ts';
export {
  TownMetaSchema,
  TownSettingsSchema,
  RigConfigSchema,
  AgentDefinitionSchema,
  MERGE_STRATEGIES,
  type TownMeta,
  type TownSettings,
  type RigConfig,
  type AgentDefinition,
  type Gate,
  type MergeStrategy,
} from './schema.ts';
export { readConfig, writeConfig, parseConfig, describeIssue } from './config-file.ts';
export {
  PRESET_NAMES,
  AGENT_ROLES,
  isPresetName,
  knownAgents,
  isKnownAgent,
  requireKnownAgent,
  parseRole,
  agentForRole,
  type PresetName,
  type AgentRole,
} from './agents.ts';
export {
  defaultSettings,
  checkSettingsRefs,
  checkRigRefs,
  withAgent,
  withoutAgent,
  withDefaultAgent,
  withRoleAgent,
  usesOfAgent,
  saveSettings,
  rigWithDefaultAgent,
  rigWithRoleAgent,
} from './settings.ts';
export {
  validateRigName,
  validateCrewName,
  validatePolecatName,
  polecatNameProblem,
  ROLE_WORDS,
  validateAgentName,
  validatePrefix,
  prefixFromName,
  TOWN_PREFIX,
  RESERVED_RIG_NAMES,
} from './names.ts';
export { joinCommandLine } from './words.ts';
export { installTown, type InstallOptions, type InstallResult } from './install.ts';
export {
  rigNames,
  loadRig,
  allRigs,
  saveRig,
  rigNotFound,
  polecatNames,
  crewNames,
  summarizeRig,
  describeRig,
  type RigSummary,
  type RigDetails,
} from './rigs.ts';
export { addRig, type AddRigOptions, type AddRigResult } from './rig-add.ts';
export { removeRig, rigHeldWork, savedBundlePath, type RemoveRigResult, type RemoveRigOptions } from './rig-remove.ts';
export { openTownStore, importRigLedger, type RigBeadsImport } from './rig-beads.ts';
export { addCrew, listCrew, removeCrew, crewIdentity, type CrewMember } from './crew.ts';
export { inspectWorkTree, inspectRigRepo, describeHolders, saveToBundle, type HeldWorkReport } from './held-work.ts';
export {
  parseAddress,
  formatAddress,
  sessionNameOf,
  townSocket,
  type AgentAddress,
  type AddressKind,
} from './addresses.ts';
export { townTmux, townFleet } from './town-tmux.ts';
export {
  recordTownEvent,
  listTownEvents,
  townEventsAfter,
  lastTownEventId,
  lastTownEvent,
  townEventsMatching,
  countTownEvents,
  latestBySubject,
  lastEventAtBy,
  TOWN_EVENTS_PART,
  type TownEvent,
  type NewTownEvent,
  type EventMatch,
} from './events.ts';
