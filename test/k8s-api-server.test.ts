// The Kubernetes API server for tests (testing/k8s), driven by the real @kubernetes/client-node: pods become real
// local process trees (own /tmp, $HOME, volumes, tmux server), watches carry resourceVersions and expire after a
// compaction, exec works over the WebSocket channel protocol, and the API's failures (401/404/409/410/422/429) and
// the faults a cluster shows (Pending without capacity, failing pulls, eviction, OOM kill, node loss) look as on a
// real cluster.
import { existsSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, Watch, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApi, type KubeApi } from '../testing/k8s/index.ts';
import { tempDir } from './support/gt.ts';

const NS = 'agents';
const IMAGE = 'gastown/agent:test';
let api: KubeApi;
let kc: KubeConfig;
let core: CoreV1Api;
let tmp: { dir: string; cleanup: () => void };

/** A pod whose agent runs in tmux and whose container then stays up, as the provider's pods do. */
function agentPod(
  name: string,
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
          image: IMAGE,
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

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

const phaseOf = async (name: string) => (await core.readNamespacedPod({ name, namespace: NS })).status?.phase;
const waitPhase = (name: string, phase: string) =>
  waitFor(`${name} ${phase}`, async () => ((await phaseOf(name)) === phase ? true : undefined));

/** Runs a command in the pod through the client's Exec (WebSocket), returning its output and final Status. */
async function exec(
  pod: string,
  command: string[],
  stdin?: string,
): Promise<{ out: string; err: string; status: V1Status }> {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const input = stdin === undefined ? null : new PassThrough();
  const status = await new Promise<V1Status>((ok, fail) => {
    new Exec(kc)
      .exec(
        NS,
        pod,
        'agent',
        command,
        sink((s) => (out += s)),
        sink((s) => (err += s)),
        input,
        false,
        (s) => ok(s),
      )
      .then(() => {
        if (input) input.end(stdin);
      })
      .catch(fail);
  });
  return { out, err, status };
}

beforeAll(async () => {
  tmp = tempDir('k8s api');
  api = await startKubeApi({ dir: tmp.dir, namespaces: [NS], images: { [IMAGE]: { env: { IMAGE_SAYS: 'hello' } } } });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await api?.stop();
  tmp?.cleanup();
});

describe('pods as local process trees', () => {
  it('a created pod goes Pending → Running, and exec reaches its own tmux server, /workspace and $HOME', async () => {
    const created = await core.createNamespacedPod({ namespace: NS, body: agentPod('p1') });
    expect(created.status?.phase).toBe('Pending');
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec?.dnsPolicy).toBe('ClusterFirst');
    await waitPhase('p1', 'Running');
    const pod = await core.readNamespacedPod({ name: 'p1', namespace: NS });
    expect(pod.spec?.nodeName).toBeTruthy();
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const cs = pod.status?.containerStatuses?.[0];
    expect(cs?.state?.running?.startedAt).toBeTruthy();
    expect(cs?.ready).toBe(true);

    await waitFor('tmux in the pod', async () =>
      (await exec('p1', ['tmux', 'has-session', '-t', 'agent'])).status.status === 'Success' ? true : undefined,
    );
    const ls = await exec('p1', ['tmux', 'list-sessions', '-F', '#{session_name}']);
    expect(ls.out.trim()).toBe('agent');
    expect(ls.status.status).toBe('Success');
    const env = await exec('p1', [
      'sh',
      '-c',
      'echo "$HOSTNAME $IMAGE_SAYS $HOME $(pwd)"; touch /workspace/mine ~/home-file; ls /tmp',
    ]);
    expect(env.out.split('\n')[0]).toBe('p1 hello /root /workspace');
    // The pod's files are in its own directories on this machine, not in the host's /workspace or /root.
    expect(existsSync('/workspace/mine')).toBe(false);
    expect(existsSync('/root/home-file')).toBe(false);

    const failed = await exec('p1', ['sh', '-c', 'echo oops >&2; exit 3']);
    expect(failed.err).toBe('oops\n');
    expect(failed.status.status).toBe('Failure');
    expect(failed.status.reason).toBe('NonZeroExitCode');
    expect(failed.status.details?.causes?.[0]).toEqual({ reason: 'ExitCode', message: '3' });

    const echoed = await exec('p1', ['cat'], 'typed into stdin\n');
    expect(echoed.out).toBe('typed into stdin\n');
  });

  it('DELETE sets deletionTimestamp, stops the process tree, then the pod is gone', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('p2') });
    await waitPhase('p2', 'Running');
    const pid = await waitFor('pid', () => api.podPid(NS, 'p2'));
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const deleted = await core.deleteNamespacedPod({ name: 'p2', namespace: NS, gracePeriodSeconds: 1 });
    expect(deleted.metadata?.deletionTimestamp).toBeTruthy();
    await waitFor('p2 gone', async () => {
      try {
        await core.readNamespacedPod({ name: 'p2', namespace: NS });
        return undefined;
      } catch (e) {
        return (e as { code?: number }).code === 404 ? true : undefined;
      }
    });
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});

describe('watch', () => {
  it('streams ADDED/MODIFIED/DELETED after a resourceVersion, and 410 Expired once the history is compacted', async () => {
    const list = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=gt-agent,polecat' });
    const rv = list.metadata!.resourceVersion!;
    const events: { type: string; name: string; rv: string; phase?: string }[] = [];
    const watch = new Watch(kc);
    const req = await watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { resourceVersion: rv, labelSelector: 'polecat=w1' },
      (type, obj: V1Pod) =>
        events.push({ type, name: obj.metadata!.name!, rv: obj.metadata!.resourceVersion!, phase: obj.status?.phase }),
      () => undefined,
    );
    await core.createNamespacedPod({ namespace: NS, body: agentPod('w1') });
    await core.createNamespacedPod({ namespace: NS, body: agentPod('w2') });
    await waitFor('w1 running event', async () => (events.some((e) => e.phase === 'Running') ? true : undefined));
    await core.deleteNamespacedPod({ name: 'w1', namespace: NS, gracePeriodSeconds: 0 });
    await waitFor('w1 deleted event', async () => (events.some((e) => e.type === 'DELETED') ? true : undefined));
    req.abort();
    expect(events[0]!.type).toBe('ADDED');
    expect(events.every((e) => e.name === 'w1')).toBe(true);
    const rvs = events.map((e) => Number(e.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(rv));

    await api.compact();
    const after: { type: string; code?: number }[] = [];
    await new Promise<void>((ok) => {
      void watch.watch(
        `/api/v1/namespaces/${NS}/pods`,
        { resourceVersion: rv },
        (type, obj: V1Status) => after.push({ type, code: obj.code }),
        () => ok(),
      );
    });
    expect(after).toEqual([{ type: 'ERROR', code: 410 }]);
    await core.deleteNamespacedPod({ name: 'w2', namespace: NS, gracePeriodSeconds: 0 });
  });
});
