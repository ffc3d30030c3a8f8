// The town's agents in bulk: stopping them (gt down, gt rig dock) and starting stopped work again (gt up).
export {
  stopAgents,
  startStoppedPolecats,
  type StoppedAgent,
  type StopAgentsResult,
  type StartedPolecat,
} from './agents.ts';
export { refreshCrew, type CrewRefresh } from './crew-refresh.ts';
