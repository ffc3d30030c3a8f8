// Sling: hook beads (or a poured formula) to polecats and start them, within the caps; the sling queue.
export {
  sling,
  drainSlingQueue,
  type SlingRequest,
  type SlingResult,
  type SlingOutcome,
  type SlingStatus,
  type MergeMode,
} from './sling.ts';
export {
  decideClaim,
  decideSlot,
  isSameTarget,
  type BeadView,
  type SlingTarget,
  type ClaimDecision,
  type Caps,
} from './decide.ts';
export { recordTownEvent, listTownEvents, type TownEvent } from '../../town/index.ts';
export { parseTarget } from './target.ts';
export { mergeModeOf, type LandingMode } from './merge-mode.ts';
