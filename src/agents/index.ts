// Agent runtimes: presets as data, the command that starts one, custom commands, and the nudge protocol.
export type { AgentPreset, PromptMode, HookKind, SubCommandLine } from './preset.ts';
export { BUILTIN_PRESETS, DEFAULT_AGENT, builtinPreset } from './presets.ts';
export { buildCommand, buildOneShotCommand, UNSET_ENV, type BuildOptions, type AgentCommand } from './build-command.ts';
export { splitCommandLine, parseCommandLine, type ParsedCommandLine } from './command-line.ts';
export {
  customPreset,
  definedPreset,
  resolvePreset,
  inferBasePreset,
  type CustomPresetOptions,
  type AgentDefinition,
} from './custom.ts';
export {
  nudge,
  waitForIdle,
  type NudgeTmux,
  type NudgeMode,
  type NudgeRequest,
  type NudgeSettings,
  type NudgeResult,
  type NudgeFailure,
} from './nudge.ts';
export { waitForReady, readySignals, type Readiness, type ReadyOptions } from './readiness.ts';
export {
  enqueueNudge,
  drainQueue,
  peekQueue,
  queueDir,
  QUEUE_MAX_DEPTH,
  QUEUE_TTL_MS,
  type QueuedNudge,
  type NudgePriority,
} from './nudge-queue.ts';
export {
  acquireLock,
  tryAcquire,
  lockPath,
  readLockRecord,
  lockAgeMs,
  type LockHandle,
  type LockOptions,
} from './session-lock.ts';
export { sanitizeMessage, showsReadyPrompt, showsBusy, type ReadySignals, type Screen } from './pane-text.ts';
export {
  claudeSettings,
  writeClaudeSettings,
  CLAUDE_SETTINGS_FILE,
  type ClaudeSettings,
  type ClaudeSettingsOptions,
  type ClaudeHookGroup,
} from './claude-settings.ts';
export {
  detectDialog,
  dialogReason,
  LOGIN_SCREENS,
  isStuckOnDialog,
  passStartupDialogs,
  dialogExcerpt,
  DIALOGS,
  type Dialog,
  type DialogKind,
  type DialogSpec,
  type StartupOutcome,
  type StartupOptions,
} from './dialogs.ts';
export {
  geminiSettings,
  writeGeminiSettings,
  GEMINI_SETTINGS_FILE,
  type GeminiSettings,
  type GeminiSettingsOptions,
  type GeminiHookGroup,
} from './gemini-settings.ts';
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
} from './table.ts';
