// The Kubernetes API as the k8s provider uses it, on the official client (`@kubernetes/client-node`), loaded on the
// first call so a gt command that never touches a cluster does not pay for it. Pods, their watch, secrets, access
// reviews, and exec over WebSocket (the client's `Exec`: `v5.channel.k8s.io`, else `v4`). The API's answers become
// GtErrors naming the cluster and what to do; 404 is an answer (undefined/false), not an error.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KubeConfig, V1Pod, V1Secret, V1Status } from '@kubernetes/client-node';
import { GtError, messageOf } from '../kernel/index.ts';
import type { RunResult } from '../proc/index.ts';
import type { K8sSettings } from './k8s-settings.ts';

type Lib = typeof import('@kubernetes/client-node');
let lib: Promise<Lib> | undefined;
/** The client library, loaded once on first use. */
export function kubeLib(): Promise<Lib> {
  return (lib ??= import('@kubernetes/client-node'));
}

export interface PodEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  pod: V1Pod;
}

export interface KubeClient {
  readonly namespace: string;
  /** The server's version (`/version`): the cheapest call that proves the API answers and the login works. */
  version(): Promise<string>;
  listPods(labelSelector: string): Promise<{ pods: V1Pod[]; resourceVersion: string }>;
  /** Watch pods from `resourceVersion`; `stop()` ends it. `done` is called once when the watch ends (err: why). */
  watchPods(
    labelSelector: string,
    resourceVersion: string,
    onEvent: (e: PodEvent) => void,
    done: (err: unknown) => void,
  ): Promise<{ stop(): void }>;
  readPod(name: string): Promise<V1Pod | undefined>;
  createPod(pod: V1Pod): Promise<V1Pod>;
  /** False when there was no such pod. */
  deletePod(name: string, graceSeconds?: number): Promise<boolean>;
  /** Create the secret, or replace its data when it exists. */
  putSecret(name: string, data: Record<string, string>, labels: Record<string, string>): Promise<void>;
  readSecret(name: string): Promise<V1Secret | undefined>;
  deleteSecret(name: string): Promise<boolean>;
  /** May this login do `verb` on `resource` (`pods`, `pods/exec`, `secrets`) in the namespace? */
  canI(verb: string, resource: string): Promise<{ allowed: boolean; reason: string }>;
  /** The container's last lines of output ('' when there are none, or the pod is gone). */
  logTail(pod: string, lines: number): Promise<string>;
  /** Run argv in the pod's container; its exit status and output. A pod that is gone or not running is stderr. */
  exec(pod: string, argv: readonly string[], o: { timeoutMs: number }): Promise<RunResult>;
}

export const CONTAINER = 'agent';

/** The kubeconfig of these settings, with their context current. */
export async function kubeConfig(s: Pick<K8sSettings, 'kubeconfig' | 'context'>): Promise<KubeConfig> {
  const k = await kubeLib();
  const kc = new k.KubeConfig();
  const file = s.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
  if (!existsSync(file)) {
    throw new GtError('GT_K8S_CONFIG', `no kubeconfig at ${file}`, {
      hint: 'point KUBECONFIG at one, or give --kubeconfig FILE to gt host add',
    });
  }
  kc.loadFromFile(file);
  if (!kc.getContextObject(s.context)) {
    throw new GtError('GT_K8S_CONTEXT', `the kubeconfig ${file} has no context "${s.context}"`, {
      hint: `kubectl --kubeconfig ${file} config get-contexts lists them; gt host add <name> k8s://<context>/<namespace>`,
    });
  }
  kc.setCurrentContext(s.context);
  return kc;
}

/** An ApiException's status code, if `e` is one. */
export function apiStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API's error in one line, with the cluster named and a hint. */
export function kubeFailure(s: Pick<K8sSettings, 'context' | 'namespace'>, what: string, e: unknown): GtError {
  const code = apiStatus(e);
  const body = (e as { body?: unknown } | null)?.body;
  const said =
    typeof body === 'string'
      ? (safeJson(body)?.message ?? body)
      : typeof (e as { message?: unknown } | null)?.message === 'string'
        ? (e as { message: string }).message
        : messageOf(e);
  const where = `${s.context}/${s.namespace}`;
  if (code === 401)
    return new GtError('GT_K8S_AUTH', `${where}: the cluster refused the login to ${what}: ${said}`, {
      hint: 'renew the credentials of this kubeconfig context (kubectl get pods shows the same)',
    });
  if (code === 403)
    return new GtError('GT_K8S_FORBIDDEN', `${where}: not allowed to ${what}: ${said}`, {
      hint: 'apply deploy/k8s/rbac.yaml in the namespace for this login; gt doctor lists what is missing',
    });
  if (code === 429)
    return new GtError('GT_K8S_BUSY', `${where}: the API server asked to slow down (429) to ${what}`, {
      hint: 'the daemon tries again on its next tick',
    });
  if (code === undefined)
    return new GtError('GT_K8S_UNREACHABLE', `${where}: the Kubernetes API did not answer to ${what}: ${said}`, {
      hint: 'kubectl --context … get pods checks the same connection; gt doctor checks it too',
    });
  return new GtError('GT_K8S_API', `${where}: ${what} failed (${code}): ${said}`, {
    hint: 'gt doctor checks the cluster settings',
  });
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text) as { message?: string };
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call retried on 429 (the server's Retry-After, at most 3 times, each at most 2 s); other errors are thrown. */
async function withRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (apiStatus(e) !== 429 || attempt >= 3) throw e;
      const after = Number((e as { headers?: Record<string, string> }).headers?.['retry-after'] ?? 1);
      await sleep(Math.min(2000, Math.max(100, (Number.isFinite(after) ? after : 1) * 1000)));
    }
  }
}

export async function kubeClient(s: K8sSettings): Promise<KubeClient> {
  const k = await kubeLib();
  const kc = await kubeConfig(s);
  const core = kc.makeApiClient(k.CoreV1Api);
  const ns = s.namespace;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(fn);
    } catch (e) {
      throw kubeFailure(s, what, e);
    }
  };
  const orAbsent = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withRetry(fn);
    } catch (e) {
      if (apiStatus(e) === 404) return undefined;
      throw kubeFailure(s, what, e);
    }
  };
  return {
    namespace: ns,
    version: () =>
      call('read the server version', async () => (await kc.makeApiClient(k.VersionApi).getCode()).gitVersion),
    listPods: (labelSelector) =>
      call('list pods', async () => {
        const r = await core.listNamespacedPod({ namespace: ns, labelSelector });
        return { pods: r.items, resourceVersion: r.metadata?.resourceVersion ?? '' };
      }),
    async watchPods(labelSelector, resourceVersion, onEvent, done) {
      const w = new k.Watch(kc);
      const ctl = await w.watch(
        `/api/v1/namespaces/${ns}/pods`,
        { labelSelector, resourceVersion, allowWatchBookmarks: true },
        (type, obj) => onEvent({ type: type as PodEvent['type'], pod: obj as V1Pod }),
        done,
      );
      return { stop: () => ctl.abort() };
    },
    readPod: (name) => orAbsent(`read pod ${name}`, () => core.readNamespacedPod({ name, namespace: ns })),
    createPod: (pod) =>
      call(`create pod ${pod.metadata?.name}`, () => core.createNamespacedPod({ namespace: ns, body: pod })),
    async deletePod(name, graceSeconds) {
      const r = await orAbsent(`delete pod ${name}`, () =>
        core.deleteNamespacedPod({
          name,
          namespace: ns,
          ...(graceSeconds !== undefined ? { gracePeriodSeconds: graceSeconds } : {}),
        }),
      );
      return r !== undefined;
    },
    async putSecret(name, data, labels) {
      const body = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: { name, namespace: ns, labels },
        stringData: data,
      };
      await call(`write secret ${name}`, async () => {
        try {
          await core.createNamespacedSecret({ namespace: ns, body });
        } catch (e) {
          if (apiStatus(e) !== 409) throw e;
          await core.replaceNamespacedSecret({ name, namespace: ns, body });
        }
      });
    },
    readSecret: (name) => orAbsent(`read secret ${name}`, () => core.readNamespacedSecret({ name, namespace: ns })),
    async deleteSecret(name) {
      return (
        (await orAbsent(`delete secret ${name}`, () => core.deleteNamespacedSecret({ name, namespace: ns }))) !==
        undefined
      );
    },
    async canI(verb, resource) {
      const [res, sub] = resource.split('/');
      const r = await call(`review access to ${verb} ${resource}`, () =>
        kc.makeApiClient(k.AuthorizationV1Api).createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { namespace: ns, verb, resource: res!, ...(sub ? { subresource: sub } : {}) } },
          },
        }),
      );
      return { allowed: r.status?.allowed === true, reason: r.status?.reason ?? r.status?.evaluationError ?? '' };
    },
    async logTail(pod, lines) {
      try {
        return await core.readNamespacedPodLog({ name: pod, namespace: ns, container: CONTAINER, tailLines: lines });
      } catch {
        return '';
      }
    },
    exec: (pod, argv, o) => execIn(k, kc, s, pod, argv, o.timeoutMs),
  };
}

/** Collects what a stream carries. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

async function execIn(
  k: Lib,
  kc: KubeConfig,
  s: K8sSettings,
  pod: string,
  argv: readonly string[],
  timeoutMs: number,
): Promise<RunResult> {
  const out = sink();
  const err = sink();
  let status: V1Status | undefined;
  let ws;
  try {
    ws = await new k.Exec(kc).exec(
      s.namespace,
      pod,
      CONTAINER,
      [...argv],
      out.stream,
      err.stream,
      null,
      false,
      (st) => {
        status = st;
      },
    );
  } catch (e) {
    // The upgrade was refused: the pod is gone (404), or not running yet / any more (400). `e` is the socket's
    // ErrorEvent (its `message` says the status), or an Error.
    const text = (e as { message?: unknown } | null)?.message;
    if (typeof text !== 'string') throw kubeFailure(s, `exec in pod ${pod}`, e);
    if (/\b404\b/.test(text)) return { status: 1, stdout: '', stderr: `can't find session: pod ${pod} is gone\n` };
    if (/\b(400|409)\b/.test(text))
      return { status: 1, stdout: '', stderr: `no server running: pod ${pod} is not running\n` };
    throw kubeFailure(s, `exec in pod ${pod}`, e);
  }
  const socket = ws;
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(false);
    }, timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!closed)
    return { status: 124, stdout: out.text(), stderr: `exec in pod ${pod} timed out after ${timeoutMs} ms\n` };
  return { status: exitCodeOf(status), stdout: out.text(), stderr: err.text() };
}

/** The exit status the API reports on the status channel (`NonZeroExitCode` carries it as a cause). */
export function exitCodeOf(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
