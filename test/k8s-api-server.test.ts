// The Kubernetes API server for tests (testing/k8s), driven by the real @kubernetes/client-node: pods become real
// local process trees (own /tmp, $HOME, volumes, tmux server), watches carry resourceVersions and expire after a
// compaction, exec works over the WebSocket channel protocol, and the API's failures (401/404/409/410/422/429) and
// the faults a cluster shows (Pending without capacity, failing pulls, eviction, OOM kill, node loss) look as on a
// real cluster.
import { existsSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { CoreV1Api, Exec, KubeConfig, Watch, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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

/** The HTTP code of a failed client call (the client throws ApiException with `code`). */
async function codeOf(
  p: Promise<unknown>,
): Promise<{ code: number; body: { reason?: string; message?: string; details?: { causes?: { field?: string }[] } } }> {
  try {
    await p;
  } catch (e) {
    // The client's ApiException: `body` is the answer's text (undefined for a 401).
    const err = e as { code: number; body?: string };
    return { code: err.code, body: (err.body ? JSON.parse(err.body) : {}) as never };
  }
  throw new Error('the call succeeded');
}

describe("the API's failures", () => {
  it('401 without the bearer token, on plain requests and on exec', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/${NS}/pods`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { reason: string }).reason).toBe('Unauthorized');
    const wrong = new KubeConfig();
    wrong.loadFromOptions({
      clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'test', token: 'not-the-token' }],
      contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
      currentContext: 'test',
    });
    expect((await codeOf(wrong.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS }))).code).toBe(401);
    await expect(new Exec(wrong).exec(NS, 'none', 'agent', ['true'], null, null, null, false)).rejects.toThrow(/401/);
  });

  it('404 for a missing pod or namespace, 409 for a second create, 422 for a pod that fails the schema', async () => {
    expect((await codeOf(core.readNamespacedPod({ name: 'nope', namespace: NS }))).code).toBe(404);
    const ns = await codeOf(core.createNamespacedPod({ namespace: 'nowhere', body: agentPod('x') }));
    expect([ns.code, ns.body.message]).toEqual([404, 'namespaces "nowhere" not found']);
    await core.createNamespacedPod({ namespace: NS, body: agentPod('dup') });
    const again = await codeOf(core.createNamespacedPod({ namespace: NS, body: agentPod('dup') }));
    expect([again.code, again.body.reason]).toEqual([409, 'AlreadyExists']);
    await core.deleteNamespacedPod({ name: 'dup', namespace: NS, gracePeriodSeconds: 0 });

    const bad = agentPod('Bad_Name');
    (bad.spec!.containers[0] as { image?: unknown }).image = undefined;
    (bad.spec!.containers[0]!.volumeMounts![0] as { name: string }).name = 'missing';
    const invalid = await codeOf(core.createNamespacedPod({ namespace: NS, body: bad }));
    expect([invalid.code, invalid.body.reason]).toEqual([422, 'Invalid']);
    expect(invalid.body.details?.causes?.map((c) => c.field).sort()).toEqual(
      ['metadata.name', 'spec.containers[0].image', 'spec.containers[0].volumeMounts[0].name'].sort(),
    );
    // A wrong type, caught by the Pod schema itself.
    const typed = agentPod('typed');
    (typed.spec!.containers[0] as unknown as { env: unknown }).env = [{ name: 'A', value: 5 }];
    const schema = await codeOf(core.createNamespacedPod({ namespace: NS, body: typed }));
    expect(schema.code).toBe(422);
    expect(schema.body.message).toContain('spec.containers[0].env[0].value');
  });

  it('429 with Retry-After for the throttled requests, then answers again', async () => {
    await api.throttleNext(2, 3);
    const first = await fetch(`${api.url}/api/v1/namespaces/${NS}/pods`, {
      headers: { authorization: `Bearer ${api.token}` },
    });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await codeOf(core.listNamespacedPod({ namespace: NS }))).code).toBe(429);
    expect((await core.listNamespacedPod({ namespace: NS })).kind).toBe('PodList');
  });

  it('logs every request, with the bodies of pod creates', async () => {
    const before = (await api.requests()).length;
    await core.listNamespacedPod({ namespace: NS, labelSelector: 'app=gt-agent' });
    await codeOf(core.createNamespacedPod({ namespace: NS, body: agentPod('Logged') }));
    const log = (await api.requests()).slice(before);
    expect(log.map((r) => [r.method, r.path.split('?')[0], r.status])).toEqual([
      ['GET', `/api/v1/namespaces/${NS}/pods`, 200],
      ['POST', `/api/v1/namespaces/${NS}/pods`, 422],
    ]);
    expect((log[1]!.body as V1Pod).metadata?.name).toBe('Logged');
  });
});

const reasonOf = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state;

describe('faults as a cluster shows them', () => {
  it('an image that cannot be pulled keeps the pod Pending with ErrImagePull, then ImagePullBackOff', async () => {
    const pod = agentPod('nopull');
    pod.spec!.containers[0]!.image = 'no/such-image:1';
    await core.createNamespacedPod({ namespace: NS, body: pod });
    const seen = new Set<string>();
    await waitFor('back-off', async () => {
      const p = await core.readNamespacedPod({ name: 'nopull', namespace: NS });
      expect(p.status?.phase).toBe('Pending');
      const reason = reasonOf(p)?.waiting?.reason;
      if (reason) seen.add(reason);
      return seen.has('ImagePullBackOff') ? true : undefined;
    });
    expect([...seen]).toContain('ErrImagePull');
    // A known image made to fail behaves the same; once it pulls again the pod starts.
    await api.failImage(IMAGE);
    await core.createNamespacedPod({ namespace: NS, body: agentPod('flaky') });
    await waitFor('ErrImagePull', async () =>
      reasonOf(await core.readNamespacedPod({ name: 'flaky', namespace: NS }))?.waiting?.reason === 'ErrImagePull'
        ? true
        : undefined,
    );
    await api.failImage(IMAGE, false);
    await waitPhase('flaky', 'Running');
    await core.deleteNamespacedPod({ name: 'nopull', namespace: NS });
    await core.deleteNamespacedPod({ name: 'flaky', namespace: NS, gracePeriodSeconds: 0 });
  });

  afterEach(() => api.setCapacity(110));

  it('beyond capacity a pod stays Pending (PodScheduled False, Unschedulable) and schedules when room frees', async () => {
    // Pods bound to the node and not finished hold a place (Pending ones pulling an image too).
    const placed = (await core.listNamespacedPod({ namespace: NS, fieldSelector: 'spec.nodeName=test-node' })).items;
    const holding = placed.filter((p) => p.status?.phase === 'Pending' || p.status?.phase === 'Running').length;
    await api.setCapacity(holding + 1);
    await core.createNamespacedPod({ namespace: NS, body: agentPod('cap1') });
    await waitPhase('cap1', 'Running');
    await core.createNamespacedPod({ namespace: NS, body: agentPod('cap2') });
    const cond = await waitFor('unschedulable', async () =>
      (await core.readNamespacedPod({ name: 'cap2', namespace: NS })).status?.conditions?.find(
        (c) => c.type === 'PodScheduled' && c.status === 'False',
      ),
    );
    expect(cond.reason).toBe('Unschedulable');
    expect(cond.message).toContain('Too many pods');
    expect(await phaseOf('cap2')).toBe('Pending');
    await core.deleteNamespacedPod({ name: 'cap1', namespace: NS, gracePeriodSeconds: 0 });
    await waitPhase('cap2', 'Running');
    await core.deleteNamespacedPod({ name: 'cap2', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('eviction and OOM kill fail the pod with their reason and kill its processes', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('ev') });
    await core.createNamespacedPod({ namespace: NS, body: agentPod('oom') });
    await waitPhase('ev', 'Running');
    await waitPhase('oom', 'Running');
    const evPid = (await api.podPid(NS, 'ev'))!;
    const oomPid = (await api.podPid(NS, 'oom'))!;
    await api.evict(NS, 'ev');
    await api.oomKill(NS, 'oom');
    await waitPhase('ev', 'Failed');
    await waitPhase('oom', 'Failed');
    const ev = await core.readNamespacedPod({ name: 'ev', namespace: NS });
    expect(ev.status?.reason).toBe('Evicted');
    expect(ev.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.status).toBe('True');
    const oom = await core.readNamespacedPod({ name: 'oom', namespace: NS });
    expect(reasonOf(oom)?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    expect(existsSync(`/proc/${evPid}`)).toBe(false);
    expect(existsSync(`/proc/${oomPid}`)).toBe(false);
    const ex = await codeOf(new Exec(kc).exec(NS, 'ev', 'agent', ['true'], null, null, null, false));
    expect(ex).toBeDefined();
  });

  it('a lost node fails its pods with NodeLost; new pods wait until it is back', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('lost') });
    await waitPhase('lost', 'Running');
    const pid = (await api.podPid(NS, 'lost'))!;
    await api.loseNode();
    const lost = await core.readNamespacedPod({ name: 'lost', namespace: NS });
    expect([lost.status?.phase, lost.status?.reason]).toEqual(['Failed', 'NodeLost']);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await core.createNamespacedPod({ namespace: NS, body: agentPod('after') });
    await waitFor('unschedulable', async () =>
      (await core.readNamespacedPod({ name: 'after', namespace: NS })).status?.conditions?.find(
        (c) => c.reason === 'Unschedulable',
      ),
    );
    await api.restoreNode();
    await waitPhase('after', 'Running');
    await core.deleteNamespacedPod({ name: 'after', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('a container whose command exits ends Succeeded or Failed with its exit code (restartPolicy Never)', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('ok', {}, 'exit 0') });
    await core.createNamespacedPod({ namespace: NS, body: agentPod('bad', {}, 'exit 7') });
    await waitPhase('ok', 'Succeeded');
    await waitPhase('bad', 'Failed');
    const bad = await core.readNamespacedPod({ name: 'bad', namespace: NS });
    expect(reasonOf(bad)?.terminated).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(bad.status?.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('PodCompleted');
  });
});
