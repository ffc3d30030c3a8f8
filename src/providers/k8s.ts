// Kubernetes as a provider (docs/kubernetes.md): each polecat a pod in the host's namespace, the agent in tmux inside
// it. Starting a session creates the pod and follows it (watch) until the agent's tmux session is up; stopping it
// deletes the pod; listing is one pod list; peek, nudge and keys are tmux command lines run by exec in the pod.
import { GtError, isGtError } from '../kernel/index.ts';
import { nudge } from '../agents/index.ts';
import type { NewSessionSpec } from '../tmux/index.ts';
import type { HostConfig } from './hosts.ts';
import { kubeClient, type KubeClient } from './k8s-client.ts';
import { followPod, inventory, waitGone } from './k8s-inventory.ts';
import {
  L,
  labelValue,
  podManifest,
  podName,
  podState,
  tmuxArgv,
  tokenSecretName,
  townSelector,
  type PodPlan,
} from './k8s-pod.ts';
import type { K8sSettings } from './k8s-settings.ts';
import { podTmux } from './k8s-tmux.ts';
import type { RuntimeProvider } from './types.ts';

export interface K8sContext {
  /** The town's tmux socket name: its id in pod labels and the socket name in each pod. */
  socket: string;
  runtimeDir: string;
}

/** Variables of a start's environment that describe the pod rather than the agent (removed before it starts). */
export const POD_ENV = { bead: 'GT_POD_BEAD' } as const;

type K8sHost = HostConfig & { k8s: K8sSettings };

const clients = new Map<string, Promise<KubeClient>>();

/** One client per host settings within a process (the kubeconfig is read once). */
function clientFor(s: K8sSettings): () => Promise<KubeClient> {
  const key = JSON.stringify([s.kubeconfig, s.context, s.namespace]);
  return () => {
    let c = clients.get(key);
    if (!c) {
      c = kubeClient(s);
      clients.set(key, c);
      c.catch(() => clients.delete(key));
    }
    return c;
  };
}

/** Write the agent's town API token into its Secret (the pod mounts it; the value is never in the pod spec). */
export async function writeAgentToken(h: K8sHost, town: string, session: string, token: string): Promise<void> {
  const c = await clientFor(h.k8s)();
  await c.putSecret(
    tokenSecretName(town, session),
    { token },
    {
      'app.kubernetes.io/managed-by': 'gastown',
      [L.town]: labelValue(town),
      [L.session]: labelValue(session),
    },
  );
}

export function k8sProvider(h: K8sHost, ctx: K8sContext): RuntimeProvider {
  const s = h.k8s;
  const client = clientFor(s);
  const selector = townSelector(ctx.socket);
  const inv = inventory(client, selector);
  const podOf = (session: string) => podName(ctx.socket, session);

  const start = async (spec: NewSessionSpec): Promise<void> => {
    const env = { ...(spec.env ?? {}) };
    const bead = env[POD_ENV.bead] ?? null;
    delete env[POD_ENV.bead];
    if (!env.GT_TOWN_URL) throw new GtError('INTERNAL', `no GT_TOWN_URL for the pod of ${spec.name}`);
    const plan: PodPlan = {
      town: ctx.socket,
      socket: ctx.socket,
      session: spec.name,
      address: env.GT_ADDRESS ?? spec.name,
      rig: env.GT_RIG ?? 'town',
      polecat: env.GT_NAME ?? spec.name,
      bead,
      workdir: spec.cwd,
      workspaceRoot: h.dir,
      argv: spec.argv,
      env,
      unsetEnv: spec.unsetEnv ?? [],
      width: spec.width ?? 200,
      height: spec.height ?? 50,
      tokenSecret: tokenSecretName(ctx.socket, spec.name),
      townUrl: env.GT_TOWN_URL,
      node: h.node,
      gtRoot: h.gt_root,
      settings: s,
    };
    const c = await client();
    const name = podOf(spec.name);
    const before = await c.readPod(name);
    if (before) {
      const st = podState(before);
      if (st.kind === 'running' || st.kind === 'starting' || st.kind === 'pending' || st.kind === 'unschedulable')
        throw new GtError('TMUX_SESSION_EXISTS', `pod ${name} of ${spec.name} already runs (${st.kind})`, {
          hint: `gt peek shows it; kubectl -n ${s.namespace} delete pod ${name} removes it`,
        });
      // A pod kept after its agent ended (or failed): replaced by the new one.
      await c.deletePod(name, 0);
      await waitGone(c, name, 60_000);
    }
    try {
      await c.createPod(podManifest(plan, name));
    } catch (e) {
      if (isGtError(e) && /\(409\)/.test(e.message))
        throw new GtError('TMUX_SESSION_EXISTS', `pod ${name} of ${spec.name} was created by another start`);
      throw e;
    }
    inv.invalidate();
    const settled = (k: string) => k === 'running' || k === 'failed' || k === 'exited' || k === 'image';
    // First until it runs or the grace for waiting on room is over; a pod still unschedulable then stays and is
    // reported (it starts when the cluster has room); any other still-starting pod is followed to the start timeout.
    const timeoutMs = s.start_timeout_s * 1000;
    const grace = Math.min(timeoutMs, s.pending_grace_s * 1000);
    let r = await followPod(c, name, selector, (st) => settled(st.kind), grace);
    if (r.timedOut && r.state.kind !== 'unschedulable')
      r = await followPod(c, name, selector, (st) => settled(st.kind), timeoutMs - grace);
    inv.invalidate();
    const st = r.state;
    if (st.kind === 'running') return waitForTmux(c, name, spec.name);
    if (st.kind === 'unschedulable') return; // the gate's first look reports it (GT_POD_PENDING)
    if (st.kind === 'image')
      throw new GtError('GT_POD_IMAGE', `pod ${name} cannot start image ${s.image}: ${st.note}`, {
        hint: 'check the image setting in settings/hosts.json and the registry access (gt doctor checks both)',
      });
    if (st.kind === 'failed' || st.kind === 'exited')
      throw new GtError('GT_POD_FAILED', `pod ${name} of ${spec.name} ended during its start: ${st.note}`, {
        hint: `kubectl -n ${s.namespace} logs ${name} shows what its container said (the workspace clone, tmux)`,
      });
    throw new GtError(
      'GT_POD_SLOW',
      `pod ${name} of ${spec.name} did not start its agent in ${s.start_timeout_s} s (${st.kind}: ${'note' in st ? st.note : ''})`,
      {
        hint: `the pod is left running; kubectl -n ${s.namespace} describe pod ${name} says why it is slow`,
      },
    );
  };

  /** The readiness probe says the same; asked directly in case the cluster reports readiness late. */
  const waitForTmux = async (c: KubeClient, pod: string, session: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await c.exec(pod, tmuxArgv(ctx.socket, ['has-session', '-t', `=${session}`]), { timeoutMs: 10_000 });
      if (r.status === 0) return;
      if (Date.now() > deadline)
        throw new GtError(
          'GT_POD_FAILED',
          `pod ${pod} runs, but the agent's tmux session ${session} is not there: ${r.stderr.trim()}`,
          {
            hint: `kubectl -n ${s.namespace} logs ${pod} shows what its container said`,
          },
        );
      await new Promise((res) => setTimeout(res, 250));
    }
  };

  const stop = async (session: string): Promise<boolean> => {
    const c = await client();
    const gone = await c.deletePod(podOf(session), 5);
    await c.deleteSecret(tokenSecretName(ctx.socket, session));
    inv.invalidate();
    return gone;
  };

  const tmux = podTmux({ socket: ctx.socket, settings: s, client, inventory: inv, podOf, start, stop });
  return {
    name: h.name,
    host: h.name,
    tmux,
    start,
    stop,
    alive: async (session) => {
      const pod = (await inv.pods()).get(session);
      return pod !== undefined && podState(pod).kind === 'running';
    },
    list: () => tmux.listSessions(),
    peek: (session, lines) => tmux.capturePane(session, lines === undefined ? {} : { lines }),
    nudge: (session, message, n = {}) =>
      nudge(
        tmux,
        { runtimeDir: ctx.runtimeDir },
        { session, message, mode: n.mode ?? 'wait-idle', ...(n.from ? { from: n.from } : {}) },
      ),
    attachCommand: (session) => tmux.attachCommand(session),
    capacity: async () => ({
      max: h.max_polecats,
      running: [...(await inv.pods()).values()].filter((p) => !['failed', 'exited'].includes(podState(p).kind)).length,
    }),
  };
}
