// Small helpers for tests that drive the test API server with the real @kubernetes/client-node: an agent-like pod
// manifest, polling, exec through the client's Exec (WebSocket) collecting output and the final Status, and the
// code and Status body of a failed call.
import { PassThrough, Writable } from 'node:stream';
import { Exec, type CoreV1Api, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';

/** A pod whose agent runs in tmux and whose container then stays up (restartPolicy Never, 1 s grace). */
export function agentPod(
  name: string,
  image: string,
  extra: Partial<V1Pod['spec']> = {},
  script = 'tmux new-session -d -s agent "sleep 600"; exec sleep 600',
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'gt-agent', rig: 'r1', polecat: name } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'agent',
          image,
          command: ['/bin/sh', '-c', script],
          workingDir: '/workspace',
          volumeMounts: [{ name: 'ws', mountPath: '/workspace' }],
        },
      ],
      volumes: [{ name: 'ws', emptyDir: {} }],
      ...extra,
    },
  };
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

export async function podPhase(core: CoreV1Api, namespace: string, name: string): Promise<string | undefined> {
  return (await core.readNamespacedPod({ name, namespace })).status?.phase;
}

export function waitPhase(core: CoreV1Api, namespace: string, name: string, phase: string): Promise<true> {
  return waitFor(`${name} ${phase}`, async () =>
    (await podPhase(core, namespace, name)) === phase ? true : undefined,
  );
}

/** Runs a command in the pod through the client's Exec (WebSocket), returning its output and final Status. */
export async function execInPod(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  command: string[],
  stdin?: string,
  container = 'agent',
): Promise<{ out: string; err: string; status: V1Status }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const input = stdin === undefined ? null : new PassThrough();
  const status = await new Promise<V1Status>((ok, fail) => {
    const stdout = sink((s) => (out += s));
    const stderr = sink((s) => (err += s));
    new Exec(kc)
      .exec(namespace, pod, container, command, stdout, stderr, input, false, (s) => ok(s))
      .then(() => input?.end(stdin))
      .catch(fail);
  });
  return { out, err, status };
}

export interface Failure {
  code: number;
  body: { reason?: string; message?: string; details?: { causes?: { field?: string }[] } };
}

/** The HTTP code and Status of a client call that must fail (the client throws ApiException with `code`). */
export async function failureOf(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    // The client's ApiException: `body` is the answer's text (undefined for a 401).
    const err = e as { code: number; body?: string };
    return { code: err.code, body: (err.body ? JSON.parse(err.body) : {}) as Failure['body'] };
  }
  throw new Error('the call succeeded');
}
