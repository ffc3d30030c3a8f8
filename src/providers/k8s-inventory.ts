// What runs in a Kubernetes host: the town's agent pods from ONE pod list (shared by every caller for a moment, so a
// tick asks once, never once per agent), and a watch to follow one pod through its start (scheduled, image pulled,
// workspace cloned, agent up) instead of polling it.
import type { V1Pod } from '@kubernetes/client-node';
import { GtError } from '../kernel/index.ts';
import type { KubeClient, PodEvent } from './k8s-client.ts';
import { podState, SESSION_ANNOTATION, type PodState } from './k8s-pod.ts';

export interface Inventory {
  /** The town's pods by session (the annotation's raw name), from a list at most `ttlMs` old. */
  pods(o?: { fresh?: boolean }): Promise<Map<string, V1Pod>>;
  /** Forget the cached list (after a create or delete). */
  invalidate(): void;
}

export function inventory(client: () => Promise<KubeClient>, selector: string, ttlMs = 1000): Inventory {
  let cached: { at: number; pods: Promise<Map<string, V1Pod>> } | undefined;
  const list = async (): Promise<Map<string, V1Pod>> => {
    const { pods } = await (await client()).listPods(selector);
    const out = new Map<string, V1Pod>();
    for (const p of pods) {
      const session = p.metadata?.annotations?.[SESSION_ANNOTATION];
      if (session) out.set(session, p);
    }
    return out;
  };
  return {
    pods(o = {}) {
      if (!o.fresh && cached && Date.now() - cached.at < ttlMs) return cached.pods;
      const pods = list();
      cached = { at: Date.now(), pods };
      pods.catch(() => {
        if (cached?.pods === pods) cached = undefined;
      });
      return pods;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/**
 * Follow one pod (by name) until `until` says its state is final, or `timeoutMs` passes: the last state seen. Uses a
 * watch from the pod's resourceVersion; when the watch ends early (410 Gone, a dropped connection) the pod is read
 * again and a new watch started. A pod that disappears is reported as failed.
 */
export async function followPod(
  c: KubeClient,
  name: string,
  selector: string,
  until: (s: PodState, pod: V1Pod) => boolean,
  timeoutMs: number,
): Promise<{ state: PodState; pod: V1Pod | undefined; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last: V1Pod | undefined = await c.readPod(name);
  while (Date.now() < deadline) {
    if (!last) return { state: { kind: 'failed', note: `pod ${name} was deleted` }, pod: undefined, timedOut: false };
    if (until(podState(last), last)) return { state: podState(last), pod: last, timedOut: false };
    const from: V1Pod = last;
    const outcome = await new Promise<'final' | 'ended' | 'deleted' | 'timeout'>((resolve) => {
      let settled = false;
      let stop: (() => void) | undefined;
      const finish = (why: 'final' | 'ended' | 'deleted' | 'timeout') => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop?.();
        resolve(why);
      };
      const timer = setTimeout(() => finish('timeout'), Math.max(1, deadline - Date.now()));
      const onEvent = (e: PodEvent) => {
        if (e.pod?.metadata?.name !== name) return;
        if (e.type === 'DELETED') {
          last = undefined;
          finish('deleted');
        } else if (e.type === 'ADDED' || e.type === 'MODIFIED') {
          last = e.pod;
          if (until(podState(e.pod), e.pod)) finish('final');
        }
      };
      c.watchPods(selector, from.metadata?.resourceVersion ?? '', onEvent, () => finish('ended'))
        .then((w) => {
          stop = () => w.stop();
          if (settled) w.stop();
        })
        .catch(() => finish('ended'));
    });
    if (outcome === 'final' || outcome === 'deleted') continue;
    if (outcome === 'timeout') break;
    // The watch ended before the pod settled: read it afresh (a short pause, so a failing watch is not a busy loop).
    await new Promise((r) => setTimeout(r, 200));
    last = await c.readPod(name);
  }
  if (!last) return { state: { kind: 'failed', note: `pod ${name} was deleted` }, pod: undefined, timedOut: false };
  return { state: podState(last), pod: last, timedOut: !until(podState(last), last) };
}

/** Wait until the pod is gone (a deletion takes the container's grace period). */
export async function waitGone(c: KubeClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await c.readPod(name))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new GtError('GT_POD_STUCK', `pod ${name} is still there ${Math.round(timeoutMs / 1000)} s after its deletion`, {
    hint: `kubectl describe pod ${name} says what holds it (a finalizer, a lost node)`,
  });
}
