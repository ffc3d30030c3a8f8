// The Kubernetes API server for tests (testing/k8s), driven by the real @kubernetes/client-node: pods become real
// local process trees (own /tmp, $HOME, volumes, tmux server), watches carry resourceVersions and expire after a
// compaction, exec works over the WebSocket channel protocol, and the API's failures (401/404/409/410/422/429) and
// the faults a cluster shows (Pending without capacity, failing pulls, eviction, OOM kill, node loss) look as on a
// real cluster.
import { existsSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import {
  AuthorizationV1Api,
  CoreV1Api,
  Exec,
  KubeConfig,
  Watch,
  type V1Pod,
  type V1Status,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnKubeApi, startKubeApi, type KubeApi } from '../testing/k8s/index.ts';
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

describe('secrets, access reviews, selectors', () => {
  it('a secret reaches the container as env (secretKeyRef, envFrom) and as a read-only volume', async () => {
    await core.createNamespacedSecret({
      namespace: NS,
      body: {
        metadata: { name: 'creds' },
        data: { token: Buffer.from('s3cret').toString('base64') },
        stringData: { 'cfg.json': '{"a":1}' },
      },
    });
    const listed = await core.listNamespacedSecret({ namespace: NS });
    expect(listed.items.map((s) => s.metadata?.name)).toContain('creds');
    const read = await core.readNamespacedSecret({ name: 'creds', namespace: NS });
    expect(Buffer.from(read.data!['cfg.json']!, 'base64').toString()).toBe('{"a":1}');
    const again = await codeOf(core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'creds' } } }));
    expect(again.code).toBe(409);

    const pod = agentPod('withsecret');
    const c = pod.spec!.containers[0]!;
    c.env = [
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
      { name: 'GREETING', value: 'token is $(TOKEN)' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ];
    c.envFrom = [{ prefix: 'S_', secretRef: { name: 'creds' } }];
    c.volumeMounts!.push({ name: 'creds', mountPath: '/tmp/creds' });
    pod.spec!.volumes!.push({ name: 'creds', secret: { secretName: 'creds' } });
    await core.createNamespacedPod({ namespace: NS, body: pod });
    await waitPhase('withsecret', 'Running');
    const out = await exec('withsecret', [
      'sh',
      '-c',
      'echo "$GREETING|$POD|$S_token"; cat /tmp/creds/cfg.json; echo; touch /tmp/creds/x 2>/dev/null || echo read-only',
    ]);
    expect(out.out).toBe('token is s3cret|withsecret|s3cret\n{"a":1}\nread-only\n');
    await core.deleteNamespacedPod({ name: 'withsecret', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('a pod naming a missing secret waits with CreateContainerConfigError and starts once the secret exists', async () => {
    const pod = agentPod('later');
    pod.spec!.containers[0]!.env = [{ name: 'K', valueFrom: { secretKeyRef: { name: 'late', key: 'k' } } }];
    await core.createNamespacedPod({ namespace: NS, body: pod });
    const waiting = await waitFor('config error', async () => {
      const w = reasonOf(await core.readNamespacedPod({ name: 'later', namespace: NS }))?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    expect(waiting.message).toBe('secret "late" not found');
    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'late' }, stringData: { k: 'v' } } });
    await waitPhase('later', 'Running');
    await core.deleteNamespacedPod({ name: 'later', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('label selectors (equality and set-based) and field selectors filter lists; a bad selector is a 400', async () => {
    await core.createNamespacedPod({
      namespace: NS,
      body: { ...agentPod('sel-a'), metadata: { name: 'sel-a', labels: { tier: 'x', rig: 'r1' } } },
    });
    await core.createNamespacedPod({
      namespace: NS,
      body: { ...agentPod('sel-b'), metadata: { name: 'sel-b', labels: { tier: 'y', rig: 'r1' } } },
    });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: NS, labelSelector, fieldSelector })).items
        .map((p) => p.metadata!.name)
        .sort();
    expect(await names('tier')).toEqual(['sel-a', 'sel-b']);
    expect(await names('tier=x,rig')).toEqual(['sel-a']);
    expect(await names('tier in (y,z),rig==r1')).toEqual(['sel-b']);
    expect(await names('tier notin (y),tier')).toEqual(['sel-a']);
    expect(await names('tier,!nothing,tier!=x')).toEqual(['sel-b']);
    expect(await names('tier', 'metadata.name=sel-b')).toEqual(['sel-b']);
    expect((await codeOf(core.listNamespacedPod({ namespace: NS, fieldSelector: 'spec.image=x' }))).code).toBe(400);
    await core.deleteNamespacedPod({ name: 'sel-a', namespace: NS, gracePeriodSeconds: 0 });
    await core.deleteNamespacedPod({ name: 'sel-b', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('a watch without resourceVersion starts with the current pods as ADDED', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('here') });
    const seen: string[] = [];
    const req = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'polecat=here' },
      (type, o: V1Pod) => seen.push(`${type} ${o.metadata?.name}`),
      () => undefined,
    );
    await waitFor('initial ADDED', async () => (seen.length ? true : undefined));
    req.abort();
    expect(seen[0]).toBe('ADDED here');
    await core.deleteNamespacedPod({ name: 'here', namespace: NS, gracePeriodSeconds: 0 });
  });
});

describe('access reviews and a server in its own process', () => {
  it('answers SelfSubjectAccessReviews by its rules and refuses denied calls with 403', async () => {
    const t = tempDir('k8s api rbac');
    const denied = await startKubeApi({
      dir: t.dir,
      access: [
        { verb: 'create', resource: 'pods', subresource: 'exec', allowed: false },
        { verb: 'get', resource: 'secrets', allowed: false },
      ],
    });
    try {
      const k = new KubeConfig();
      k.loadFromFile(denied.kubeconfigPath);
      const authz = k.makeApiClient(AuthorizationV1Api);
      const ask = async (verb: string, resource: string, subresource?: string) =>
        (
          await authz.createSelfSubjectAccessReview({
            body: { spec: { resourceAttributes: { namespace: 'default', verb, resource, subresource } } },
          })
        ).status?.allowed;
      expect(await ask('create', 'pods')).toBe(true);
      expect(await ask('create', 'pods', 'exec')).toBe(false);
      expect(await ask('get', 'secrets')).toBe(false);
      const refused = await codeOf(
        k.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'x', namespace: 'default' }),
      );
      expect([refused.code, refused.body.reason]).toEqual([403, 'Forbidden']);
    } finally {
      await denied.stop();
      t.cleanup();
    }
  });

  it('spawnKubeApi serves the same API from a child process, with its controls over HTTP, and stops its pods', async () => {
    const t = tempDir('k8s api spawned');
    const child = await spawnKubeApi({ dir: t.dir, images: { [IMAGE]: {} } });
    let pid: number | undefined;
    try {
      const k = new KubeConfig();
      k.loadFromFile(child.kubeconfigPath);
      const c = k.makeApiClient(CoreV1Api);
      await c.createNamespacedPod({ namespace: 'default', body: agentPod('sp') });
      pid = await waitFor('pod pid', () => child.podPid('default', 'sp'));
      await child.evict('default', 'sp');
      const p = await c.readNamespacedPod({ name: 'sp', namespace: 'default' });
      expect([p.status?.phase, p.status?.reason]).toEqual(['Failed', 'Evicted']);
      expect((await child.requests()).filter((r) => r.method === 'POST').length).toBe(1);
      await c.createNamespacedPod({ namespace: 'default', body: agentPod('sp2') });
      pid = await waitFor('pod pid', () => child.podPid('default', 'sp2'));
    } finally {
      await child.stop();
      t.cleanup();
    }
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
