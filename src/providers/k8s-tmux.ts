// The tmux client of a Kubernetes host: the same calls as a tmux server's, where each session is the tmux server in
// its own pod. Screen and key calls are tmux command lines run by exec in the pod (WebSocket); the session listing is
// the town's pod list (one call); creating a session is starting a pod (k8s-start.ts); killing one deletes its pod.
import type { V1Pod } from '@kubernetes/client-node';
import { GtError } from '../kernel/index.ts';
import type { RunResult } from '../proc/index.ts';
import { createTmux, type PaneSnapshot, type SessionInfo, type TmuxClient } from '../tmux/index.ts';
import type { KubeClient } from './k8s-client.ts';
import type { Inventory } from './k8s-inventory.ts';
import { podState, tmuxArgv, type PodState } from './k8s-pod.ts';
import type { K8sSettings } from './k8s-settings.ts';

export interface PodTmuxContext {
  socket: string;
  settings: K8sSettings;
  client: () => Promise<KubeClient>;
  inventory: Inventory;
  /** The pod name of a session (fixed per town and session). */
  podOf: (session: string) => string;
  start: TmuxClient['newSession'];
  stop: (session: string) => Promise<boolean>;
}

/** A session whose pod has no agent to talk to yet (or any more): why, as a tmux-like error or a GtError. */
function notReachable(session: string, pod: string, s: PodState | undefined): RunResult {
  if (!s) return { status: 1, stdout: '', stderr: `can't find session: no pod for ${session}\n` };
  if (s.kind === 'pending' || s.kind === 'unschedulable')
    throw new GtError('GT_POD_PENDING', `pod ${pod} of ${session} is not running yet: ${s.note}`, {
      hint: 'it starts when the cluster has room and its image is pulled; gt agents shows its state',
    });
  if (s.kind === 'image')
    throw new GtError('GT_POD_IMAGE', `pod ${pod} of ${session} cannot start its image: ${s.note}`, {
      hint: 'check the image setting in settings/hosts.json (gt doctor checks it) and the registry credentials',
    });
  if (s.kind === 'failed')
    return { status: 1, stdout: '', stderr: `can't find session: pod ${pod} ended: ${s.note}\n` };
  return { status: 1, stdout: '', stderr: `no server running in pod ${pod} yet (${'note' in s ? s.note : s.kind})\n` };
}

export function podTmux(ctx: PodTmuxContext): TmuxClient {
  const perSession = new Map<string, TmuxClient>();
  const stateOf = async (session: string): Promise<PodState | undefined> => {
    const pod = (await ctx.inventory.pods()).get(session);
    return pod ? podState(pod) : undefined;
  };
  const t = (session: string): TmuxClient => {
    let c = perSession.get(session);
    if (!c) {
      const pod = ctx.podOf(session);
      c = createTmux({
        socket: ctx.socket,
        timeoutMs: 20_000,
        runner: async (argv, o) => {
          const s = await stateOf(session);
          if (s?.kind !== 'running' && s?.kind !== 'exited' && s?.kind !== 'starting')
            return notReachable(session, pod, s);
          return (await ctx.client()).exec(pod, ['tmux', ...argv.slice(1)], o);
        },
      });
      perSession.set(session, c);
    }
    return c;
  };
  const local = createTmux({ socket: ctx.socket });
  return {
    ...local,
    version: async () => 'tmux in pods',
    newSession: (spec) => ctx.start(spec),
    async hasSession(name) {
      const s = await stateOf(name);
      // A pod waiting for its image is kept, as one waiting for room: the kubelet retries the pull.
      return s !== undefined && s.kind !== 'failed' && s.kind !== 'exited';
    },
    killSession: (name) => ctx.stop(name),
    async listSessions(): Promise<SessionInfo[]> {
      return [...(await ctx.inventory.pods())].map(([session, pod]) => sessionOf(session, pod));
    },
    capturePane: (n, o) => t(n).capturePane(n, o),
    snapshot: (n) => t(n).snapshot(n),
    async snapshotMany(names): Promise<Map<string, PaneSnapshot>> {
      // Each pod is its own tmux server: one exec per running pod, at most 8 at a time.
      const out = new Map<string, PaneSnapshot>();
      const queue = [...names];
      const worker = async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
          const got = await t(n)
            .snapshotMany([n])
            .catch(() => new Map<string, PaneSnapshot>());
          for (const [k, v] of got) out.set(k, v);
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, names.length) }, worker));
      return out;
    },
    sendText: (n, text) => t(n).sendText(n, text),
    sendKeys: (n, ...keys) => t(n).sendKeys(n, ...keys),
    exitCopyMode: (n) => t(n).exitCopyMode(n),
    wake: (n) => t(n).wake(n),
    detachClients: (n) => t(n).detachClients(n),
    attachCommand: (n) => attachCommand(ctx, n),
    setOption: (n, option, value, o) => t(n).setOption(n, option, value, o),
    setEnvironment: (n, key, value) => t(n).setEnvironment(n, key, value),
    killServer: async () => false,
  };
}

/** `kubectl exec -it … tmux attach` for the session's pod (kubectl must be installed where gt attach runs). */
export function attachCommand(ctx: Pick<PodTmuxContext, 'socket' | 'settings' | 'podOf'>, session: string) {
  const s = ctx.settings;
  return {
    bin: 'kubectl',
    args: [
      ...(s.kubeconfig ? ['--kubeconfig', s.kubeconfig] : []),
      '--context',
      s.context,
      '-n',
      s.namespace,
      'exec',
      '-it',
      ctx.podOf(session),
      '-c',
      'agent',
      '--',
      ...tmuxArgv(ctx.socket, ['attach-session', '-t', `=${session}`]),
    ],
    env: process.env,
  };
}

/** A pod as a session of the listing: dead once its agent's session ended or the pod failed. */
export function sessionOf(session: string, pod: V1Pod): SessionInfo & { note?: string } {
  const s = podState(pod);
  const created = new Date(pod.metadata?.creationTimestamp ?? Date.now());
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
  return {
    name: session,
    panePid: 0,
    currentCommand: 'pod',
    activity: ready ? new Date(ready) : created,
    created,
    attached: false,
    paneDead: s.kind === 'failed' || s.kind === 'exited',
    ...(s.kind !== 'running' ? { note: `pod ${pod.metadata?.name}: ${s.note}` } : {}),
  };
}
