// Kubernetes as a provider (docs/kubernetes.md): each polecat a pod in the host's namespace, the agent in tmux inside
// it. Starting a session creates the pod and follows it (watch) until the agent's tmux session is up; stopping it
// deletes the pod; listing is one pod list; peek, nudge and keys are tmux command lines run by exec in the pod.
import { GtError, isGtError } from '../kernel/index.ts';
import { acquireLock, lockPath, nudge, type LockHandle } from '../agents/index.ts';
import type { NewSessionSpec } from '../tmux/index.ts';
import type { HostConfig } from './hosts.ts';
import { kubeClient, type KubeClient } from './k8s-client.ts';
import { followPod, inventory, waitGone, type Inventory } from './k8s-inventory.ts';
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
/** One pod list shared by every provider of the same namespace and town in this process (a command builds several). */
const inventories = new Map<string, Inventory>();

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

/** Starts under way in this process: the lock each holds from its token until its pod exists. */
const startLocks = new Map<string, LockHandle>();
const startKey = (ctx: K8sContext, session: string) => `${ctx.runtimeDir}\0${session}`;

/**
 * Before a start: take the session's start lock (shared by the town's processes, so the daemon and a sling never
 * start one agent twice, nor revoke each other's token), refuse when its pod already runs, then write the agent's
 * town API token into its Secret (the pod mounts it; the value is never in the pod spec). The lock is released by
 * the start once its pod exists (or when it fails).
 */
export async function prepareK8sStart(
  h: K8sHost,
  ctx: K8sContext,
  session: string,
  issueToken: () => string,
): Promise<void> {
  const s = h.k8s;
  const lock = await acquireLock(lockPath(ctx.runtimeDir, `k8s-start-${session}`), {
    timeoutMs: s.start_timeout_s * 1000,
    maxHoldMs: (s.start_timeout_s + 60) * 1000,
  });
  try {
    const c = await clientFor(s)();
    const pod = await c.readPod(podName(ctx.socket, session));
    const st = pod ? podState(pod) : undefined;
    if (st && LIVE.has(st.kind))
      throw new GtError('TMUX_SESSION_EXISTS', `the pod of ${session} already runs (${st.kind})`);
    await c.putSecret(
      tokenSecretName(ctx.socket, session),
      { token: issueToken() },
      {
        'app.kubernetes.io/managed-by': 'gastown',
        [L.town]: labelValue(ctx.socket),
        [L.session]: labelValue(session),
      },
    );
    startLocks.get(startKey(ctx, session))?.release();
    startLocks.set(startKey(ctx, session), lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

function releaseStart(ctx: K8sContext, session: string): void {
  startLocks.get(startKey(ctx, session))?.release();
  startLocks.delete(startKey(ctx, session));
}

/** States of a pod whose agent runs or will run: a start must not replace it. */
const LIVE = new Set(['running', 'starting', 'pending', 'unschedulable']);

export function k8sProvider(h: K8sHost, ctx: K8sContext): RuntimeProvider {
  const s = h.k8s;
  const client = clientFor(s);
  const selector = townSelector(ctx.socket);
  const invKey = JSON.stringify([s.kubeconfig, s.context, s.namespace, selector]);
  const inv = inventories.get(invKey) ?? inventory(client, selector);
  inventories.set(invKey, inv);
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
    try {
      await createPodFor(spec.name, plan);
    } finally {
      releaseStart(ctx, spec.name);
    }
    return followStart(spec.name);
  };

  const createPodFor = async (session: string, plan: PodPlan): Promise<void> => {
    const spec = { name: session };
    const c = await client();
    const name = podOf(spec.name);
    const before = await c.readPod(name);
    if (before) {
      const st = podState(before);
      if (LIVE.has(st.kind))
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
  };

  /** Follow the new pod until its agent runs (or it waits for room, or fails). */
  const followStart = async (session: string): Promise<void> => {
    const spec = { name: session };
    const c = await client();
    const name = podOf(session);
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
    // An image that does not pull: the pod stays (the kubelet retries the pull, it starts once the image works) and
    // the gate's first look reports it (GT_POD_IMAGE), so gt agents shows the pull error instead of a bare dead.
    if (st.kind === 'image') return;
    if (st.kind === 'failed' || st.kind === 'exited') throw await endedAtStart(c, name, spec.name, st.note);
    throw new GtError(
      'GT_POD_SLOW',
      `pod ${name} of ${spec.name} did not start its agent in ${s.start_timeout_s} s (${st.kind}: ${'note' in st ? st.note : ''})`,
      {
        hint: `the pod is left running; kubectl -n ${s.namespace} describe pod ${name} says why it is slow`,
      },
    );
  };

  /** A start that ended: the pod's reason and the container's last words (a failed clone says why). */
  const endedAtStart = async (c: KubeClient, pod: string, session: string, note: string): Promise<GtError> => {
    const lines = (await c.logTail(pod, 20))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const words =
      lines
        .filter((l) => /error|fatal|denied|not found|cannot|refused/i.test(l))
        .slice(-2)
        .join(' | ') || lines.slice(-2).join(' | ');
    return new GtError(
      'GT_POD_FAILED',
      `pod ${pod} of ${session} ended during its start: ${note}${words ? `; it said: ${words}` : ''}`,
      {
        hint: `kubectl -n ${s.namespace} logs ${pod} shows what its container said (the workspace clone, tmux)`,
      },
    );
  };

  /** Without a startup probe a pod runs before its agent's tmux session is up: asked directly until it is. */
  const waitForTmux = async (c: KubeClient, pod: string, session: string): Promise<void> => {
    const deadline = Date.now() + s.start_timeout_s * 1000;
    for (;;) {
      const r = await c.exec(pod, tmuxArgv(ctx.socket, ['has-session', '-t', `=${session}`]), { timeoutMs: 10_000 });
      if (r.status === 0) return;
      const now = await c.readPod(pod);
      const st = now ? podState(now) : { kind: 'failed' as const, note: `pod ${pod} was deleted` };
      if (st.kind === 'failed' || st.kind === 'exited') throw await endedAtStart(c, pod, session, st.note);
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
