// Pod status as the kubelet and scheduler write it: phase, conditions (PodScheduled, PodReadyToStartContainers,
// Initialized, ContainersReady, Ready, DisruptionTarget) with transition times kept while a condition holds, and
// container statuses with their waiting / running / terminated state. Pure: from the node's view of a pod to JSON.
import { createHash } from 'node:crypto';
import { now } from './store.ts';
import type { Json, Pod } from './types.ts';

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        message?: string;
        signal?: number;
        startedAt?: string;
        finishedAt: string;
        containerID?: string;
      };
    };

/** What the node knows of one pod. */
export interface PodView {
  /** undefined while the scheduler has not decided; a reason when it could not place the pod. */
  scheduled?: true | { reason: string; message: string };
  sandbox: boolean;
  init: Record<string, ContainerState>;
  containers: Record<string, ContainerState>;
  /** Pulled image ids by image name. */
  imageIDs: Record<string, string>;
  containerIDs: Record<string, string>;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  reason?: string;
  message?: string;
  disruption?: { reason: string; message: string };
  startTime?: string;
  /** Restarts per container (restartPolicy Always / OnFailure) and the state each ended in last time. */
  restarts?: Record<string, number>;
  lastStates?: Record<string, ContainerState>;
  /** For containers with probes: started (startupProbe passed) and ready (readinessProbe passing). */
  probed?: Record<string, { started: boolean; ready: boolean }>;
}

export const NODE_NAME = 'test-node';

export function imageID(image: string): string {
  const base = image.includes('/') ? image : `docker.io/library/${image}`;
  return `${base.replace(/:[^/:]+$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function condition(prev: Json[] | undefined, type: string, ok: boolean, reason?: string, message?: string): Json {
  const before = prev?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now();
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

function containerStatus(pod: Pod, name: string, view: PodView, init: boolean): Json {
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name)!;
  const state = (init ? view.init : view.containers)[name] ?? {
    waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' },
  };
  const running = 'running' in state;
  const id = view.containerIDs[name];
  return {
    name,
    state,
    lastState: view.lastStates?.[name] ?? {},
    ready: running && !init && (view.probed?.[name]?.ready ?? true),
    restartCount: view.restarts?.[name] ?? 0,
    image: spec.image,
    imageID: view.imageIDs[spec.image] ?? '',
    ...(id ? { containerID: `containerd://${id}` } : {}),
    started: running && (view.probed?.[name]?.started ?? true),
  };
}

/** The status to store for `pod` given what the node knows. */
export function podStatus(pod: Pod, view: PodView): Json {
  const prev = pod.status.conditions as Json[] | undefined;
  const base: Json = { phase: view.phase, qosClass: pod.status.qosClass };
  if (view.reason) base.reason = view.reason;
  if (view.message) base.message = view.message;
  if (view.scheduled === undefined) return base;
  if (view.scheduled !== true) {
    base.conditions = [condition(prev, 'PodScheduled', false, view.scheduled.reason, view.scheduled.message)];
    return base;
  }
  const inits = (pod.spec.initContainers ?? []).map((c) => c.name);
  const mains = pod.spec.containers.map((c) => c.name);
  const terminal = view.phase === 'Succeeded' || view.phase === 'Failed';
  const initDone = inits.every((n) => {
    const s = view.init[n];
    return s && 'terminated' in s && s.terminated.exitCode === 0;
  });
  const unready = mains.filter((n) => !('running' in (view.containers[n] ?? {})) || view.probed?.[n]?.ready === false);
  const readyReason = terminal ? 'PodCompleted' : unready.length ? 'ContainersNotReady' : undefined;
  const readyMsg = !terminal && unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined;
  const conditions = [
    ...(view.disruption
      ? [condition(prev, 'DisruptionTarget', true, view.disruption.reason, view.disruption.message)]
      : []),
    condition(prev, 'PodReadyToStartContainers', view.sandbox && !terminal),
    condition(
      prev,
      'Initialized',
      initDone || terminal,
      initDone || terminal ? (terminal && !initDone ? 'PodCompleted' : undefined) : 'ContainersNotInitialized',
      initDone || terminal ? undefined : `containers with incomplete status: [${inits.join(' ')}]`,
    ),
    condition(prev, 'Ready', !readyReason, readyReason, readyMsg),
    condition(prev, 'ContainersReady', !readyReason, readyReason, readyMsg),
    condition(prev, 'PodScheduled', true),
  ];
  return {
    ...base,
    conditions,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    startTime: view.startTime,
    ...(inits.length ? { initContainerStatuses: inits.map((n) => containerStatus(pod, n, view, true)) } : {}),
    containerStatuses: mains.map((n) => containerStatus(pod, n, view, false)),
  };
}

/** A failed pull: ErrImagePull the first time, ImagePullBackOff while the kubelet backs off and retries. */
export function pullFailure(image: string, prev: ContainerState | undefined): ContainerState {
  const again = prev && 'waiting' in prev && /ImagePull/.test(prev.waiting.reason);
  return again
    ? { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }
    : {
        waiting: {
          reason: 'ErrImagePull',
          message: `failed to pull and unpack image "${image}": failed to resolve reference "${image}": pull access denied, repository does not exist or may require authorization`,
        },
      };
}

/** Marks a pod whose node was lost (phase Failed, reason NodeLost); returns how its containers are reported. */
export function nodeLost(view: PodView, pod: string) {
  view.reason = 'NodeLost';
  view.message = `Node ${NODE_NAME} which was running pod ${pod} is unresponsive`;
  view.disruption = { reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
  view.phase = 'Failed';
  return {
    reason: 'ContainerStatusUnknown',
    exitCode: 137,
    message: 'The container could not be located when the pod was terminated',
  };
}
