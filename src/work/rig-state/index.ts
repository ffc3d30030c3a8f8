// Parked and docked rigs: which rigs get no new work (and which have their agents stopped), read by sling and convoys.
export {
  rigState,
  allRigStates,
  setRigState,
  requireRigOpen,
  rigStatePath,
  townDown,
  setTownDown,
  type RigMode,
  type RigState,
} from './rig-state.ts';
