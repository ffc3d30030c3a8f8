// Kernel: errors, atomic files, the list of event kinds and time, shared by every layer.
export { GtError, usageError, isGtError, messageOf, type ExitKind } from './errors.ts';
export { writeFileAtomic, writeFileAtomicWith } from './atomic-file.ts';
export {
  TOWN_EVENTS,
  TOWN_EVENT_KINDS,
  BEAD_EVENTS,
  isTownEventKind,
  townEventDomain,
  type TownEventKind,
  type TownEventDomain,
  type TownEventData,
  type BeadEventKind,
} from './event-kinds.ts';
export { systemClock, isoNow, type Clock } from './clock.ts';
export { installRoot } from './install-root.ts';
export { safeText, safeLine } from './terminal-text.ts';
export { VERSION } from './version.ts';
