// Runtime providers: where agents' sessions run (docs/hosts.md). The local tmux server and SSH hosts behind one
// interface (types.ts), the town's hosts and known_hosts (hosts.ts), which agent runs where (placements.ts), and the
// fleet that routes the town's tmux calls by session (fleet.ts).
export type { RuntimeProvider, Capacity, AttachCommand } from './types.ts';
export { tmuxProvider, localProvider, type TmuxProviderOptions } from './tmux-provider.ts';
export {
  sshProvider,
  sshRun,
  sshExec,
  sshOptions,
  sshFailure,
  ensureMaster,
  masterAlive,
  stopMaster,
  controlPath,
  sshTmuxWrap,
  type SshPaths,
} from './ssh.ts';
export {
  loadHosts,
  saveHosts,
  findHost,
  checkHostName,
  parseSshUrl,
  isK8sHost,
  hostsFile,
  knownHostsFile,
  type HostConfig,
} from './hosts.ts';
export {
  AGENT_HOSTS_PART,
  placeAgent,
  unplaceAgent,
  placementOf,
  listPlacements,
  type Placement,
} from './placements.ts';
export {
  choosePlace,
  loadPlacementRules,
  LOCAL,
  type PlaceLoad,
  type PlaceChoice,
  type PlacementRules,
  type Affinity,
} from './placement.ts';
export { sshStartSession, type HostStart, type HostStartOutcome } from './ssh-start.ts';
export { checkHost, hostLines, hostAgentPath, MIN_FREE_MB, type HostReport, type HostLine } from './host-check.ts';
export { createFleet, type Fleet, type FleetContext } from './fleet.ts';
export { k8sProvider, prepareK8sStart, POD_ENV, type K8sContext } from './k8s.ts';
export { K8S_DEFAULTS, K8S_GT_ROOT, k8sSettings, parseK8sUrl, isK8sUrl, type K8sSettings } from './k8s-settings.ts';
export { kubeClient, kubeLib, type KubeClient } from './k8s-client.ts';
export { podManifest, podState, podName, townSelector, type PodPlan, type PodState } from './k8s-pod.ts';
export { k8sChecks, K8S_PERMISSIONS, type K8sCheck } from './k8s-doctor.ts';
