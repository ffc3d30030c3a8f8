// The test Kubernetes API server (testing/k8s) under the faults a cluster shows, driven by the real
// @kubernetes/client-node: failing image pulls, Pending without capacity, eviction, OOM kill, node loss, exit codes;
// secrets reaching containers (env and volumes) and a pod waiting for a missing one; selectors; access reviews and
// 403; and the same server run in a child process (spawnKubeApi) with its controls over HTTP.
import { existsSync } from 'node:fs';
import { AuthorizationV1Api, CoreV1Api, Exec, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  agentPod as podManifest,
  execInPod,
  failureOf,
  podPhase,
  waitFor,
  waitPhase as waitForPhase,
} from '../testing/k8s/client-kit.ts';
import { spawnKubeApi, startKubeApi, type KubeApi } from '../testing/k8s/index.ts';
import { tempDir } from './support/gt.ts';

const NS = 'agents';
const IMAGE = 'gastown/agent:test';
let api: KubeApi;
let kc: KubeConfig;
let core: CoreV1Api;
let tmp: { dir: string; cleanup: () => void };

const agentPod = (name: string, extra: Partial<V1Pod['spec']> = {}, script?: string) =>
  podManifest(name, IMAGE, extra, script);
const phaseOf = (name: string) => podPhase(core, NS, name);
const waitPhase = (name: string, phase: string) => waitForPhase(core, NS, name, phase);
const exec = (pod: string, command: string[], stdin?: string) => execInPod(kc, NS, pod, command, stdin);
const codeOf = failureOf;
const reasonOf = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state;

/** Pods run in their own mount and PID namespaces, which needs root (CI runs as root). */
const ROOT = process.getuid?.() === 0;
if (!ROOT) console.log('skipped: the test Kubernetes API server runs pods in their own namespaces, which needs root');

beforeAll(async () => {
  if (!ROOT) return;
  tmp = tempDir('k8s api');
  api = await startKubeApi({
    dir: tmp.dir,
    namespaces: [NS],
    probeSecondMs: 200,
    images: { [IMAGE]: { env: { IMAGE_SAYS: 'hello' } } },
  });
  kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await api?.stop();
  tmp?.cleanup();
});

describe.skipIf(!ROOT)('faults as a cluster shows them', () => {
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
    // Pods bound to the node and not finished hold a place (Pending ones pulling an image too). Pods an earlier test
    // deleted hold one until they are gone: wait for that, or the count below changes under the test.
    await waitFor('pods being deleted to go', async () =>
      (await core.listNamespacedPod({ namespace: NS })).items.some((p) => p.metadata?.deletionTimestamp)
        ? undefined
        : true,
    );
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

describe.skipIf(!ROOT)('secrets, access reviews, selectors', () => {
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

describe.skipIf(!ROOT)('access reviews and a server in its own process', () => {
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

describe.skipIf(!ROOT)('restartPolicy', () => {
  it('OnFailure restarts a failed container (restartCount, lastState), Never does not', async () => {
    const script = '[ -f /workspace/once ] && exec sleep 600; touch /workspace/once; exit 4';
    await core.createNamespacedPod({ namespace: NS, body: agentPod('again', { restartPolicy: 'OnFailure' }, script) });
    const cs = await waitFor('a restart', async () => {
      const s = (await core.readNamespacedPod({ name: 'again', namespace: NS })).status?.containerStatuses?.[0];
      return s?.restartCount === 1 && s.state?.running ? s : undefined;
    });
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 4, reason: 'Error' });
    expect(await podPhase(core, NS, 'again')).toBe('Running');
    await core.createNamespacedPod({ namespace: NS, body: agentPod('once', {}, script) });
    await waitPhase('once', 'Failed');
    expect(
      (await core.readNamespacedPod({ name: 'once', namespace: NS })).status?.containerStatuses?.[0]?.restartCount,
    ).toBe(0);
    await core.deleteNamespacedPod({ name: 'again', namespace: NS, gracePeriodSeconds: 0 });
  });
});

describe.skipIf(!ROOT)('probes', () => {
  it('startupProbe gates started, readinessProbe sets ready and the Ready condition, as watch events', async () => {
    // Ready only while /workspace/ready exists; started once /workspace/up exists.
    const pod = agentPod('probed', {}, 'touch /workspace/up; sleep 0.5; touch /workspace/ready; exec sleep 600');
    const c = pod.spec!.containers[0]!;
    c.startupProbe = { exec: { command: ['test', '-f', '/workspace/up'] }, periodSeconds: 1, failureThreshold: 30 };
    c.readinessProbe = { exec: { command: ['test', '-f', '/workspace/ready'] }, periodSeconds: 1, failureThreshold: 1 };
    const seen: string[] = [];
    const list = await core.listNamespacedPod({ namespace: NS });
    const req = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { resourceVersion: list.metadata!.resourceVersion!, labelSelector: 'polecat=probed' },
      (_t, o: V1Pod) => {
        const s = o.status?.containerStatuses?.[0];
        const ready = o.status?.conditions?.find((x) => x.type === 'Ready')?.status;
        if (s?.state?.running) seen.push(`started=${s.started} ready=${s.ready} Ready=${ready}`);
      },
      () => undefined,
    );
    await core.createNamespacedPod({ namespace: NS, body: pod });
    await waitFor('ready', async () => (seen.at(-1) === 'started=true ready=true Ready=True' ? true : undefined));
    expect(seen[0]).toBe('started=false ready=false Ready=False');
    await exec('probed', ['rm', '/workspace/ready']);
    await waitFor('unready', async () => (seen.at(-1) === 'started=true ready=false Ready=False' ? true : undefined));
    req.abort();
    expect(await podPhase(core, NS, 'probed')).toBe('Running');
    await core.deleteNamespacedPod({ name: 'probed', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('a failing livenessProbe kills the container (restartPolicy Never: the pod Failed)', async () => {
    const pod = agentPod('dead', {}, 'trap "exit 143" TERM; while :; do sleep 0.1; done');
    pod.spec!.containers[0]!.livenessProbe = { exec: { command: ['false'] }, periodSeconds: 1, failureThreshold: 2 };
    await core.createNamespacedPod({ namespace: NS, body: pod });
    await waitPhase('dead', 'Failed');
    const s = (await core.readNamespacedPod({ name: 'dead', namespace: NS })).status?.containerStatuses?.[0];
    expect(s?.state?.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
  });
});

describe.skipIf(!ROOT)('securityContext', () => {
  it('runs as runAsUser without new privileges or capabilities; runAsNonRoot refuses a root image user', async () => {
    const pod = agentPod('nonroot', { securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 } });
    pod.spec!.containers[0]!.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    await core.createNamespacedPod({ namespace: NS, body: pod });
    await waitPhase('nonroot', 'Running');
    const out = await exec('nonroot', ['sh', '-c', 'id -u; grep -E "^(NoNewPrivs|CapEff)" /proc/self/status']);
    expect(out.out).toBe('1000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n');
    await core.deleteNamespacedPod({ name: 'nonroot', namespace: NS, gracePeriodSeconds: 0 });

    await core.createNamespacedPod({
      namespace: NS,
      body: agentPod('rooted', { securityContext: { runAsNonRoot: true } }),
    });
    const w = await waitFor('config error', async () => {
      const s = reasonOf(await core.readNamespacedPod({ name: 'rooted', namespace: NS }))?.waiting;
      return s?.reason === 'CreateContainerConfigError' ? s : undefined;
    });
    expect(w.message).toMatch(/^container has runAsNonRoot and image will run as root/);
    await core.deleteNamespacedPod({ name: 'rooted', namespace: NS, gracePeriodSeconds: 0 });
  });
});
