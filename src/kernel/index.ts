// Kernel: errors, atomic files, events and time, shared by every layer.
export { GtError, usageError, isGtError, messageOf, type ExitKind } from './errors.ts';
export { writeFileAtomic, writeFileAtomicWith } from './atomic-file.ts';
export { EventBus, type Listener } from './events.ts';
export { systemClock, isoNow, type Clock } from './clock.ts';
export { installRoot } from './install-root.ts';
export { safeText, safeLine } from './terminal-text.ts';
export { VERSION } from './version.ts';
