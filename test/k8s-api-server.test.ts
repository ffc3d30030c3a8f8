// The Kubernetes API server for tests (testing/k8s), driven by the real @kubernetes/client-node: pods become real
// local process trees (own /tmp, $HOME, volumes, tmux server), watches carry resourceVersions and expire after a
// compaction, exec works over the WebSocket channel protocol (v5 through the client's Exec, v4 and a TTY raw), pod
// logs, and the API's failures (401/404/409/410/422/429) and request log. Faults: test/k8s-api-faults.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CoreV1Api, Exec, KubeConfig, Watch, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentPod as podManifest,
  execInPod,
  failureOf,
  waitFor,
  waitPhase as waitForPhase,
} from '../testing/k8s/client-kit.ts';
import { startKubeApi, type KubeApi } from '../testing/k8s/index.ts';
import { writeKubectl } from '../testing/k8s/kubectl.ts';
import { tempDir } from './support/gt.ts';

const NS = 'agents';
const IMAGE = 'gastown/agent:test';
let api: KubeApi;
let kc: KubeConfig;
let core: CoreV1Api;
let tmp: { dir: string; cleanup: () => void };

const agentPod = (name: string, extra: Partial<V1Pod['spec']> = {}, script?: string) =>
  podManifest(name, IMAGE, extra, script);
const waitPhase = (name: string, phase: string) => waitForPhase(core, NS, name, phase);
const exec = (pod: string, command: string[], stdin?: string) => execInPod(kc, NS, pod, command, stdin);
const codeOf = failureOf;

/** Pods run in their own mount and PID namespaces, which needs root (CI runs as root). */
const ROOT = process.getuid?.() === 0;
if (!ROOT) console.log('skipped: the test Kubernetes API server runs pods in their own namespaces, which needs root');

beforeAll(async () => {
  if (!ROOT) return;
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

describe.skipIf(!ROOT)('pods as local process trees', () => {
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

describe.skipIf(!ROOT)('watch', () => {
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

describe.skipIf(!ROOT)("the API's failures", () => {
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

describe.skipIf(!ROOT)('exec protocol details, logs, watch filters', () => {
  it('v4.channel.k8s.io: stdin on channel 0, output on 1, the exit Status on channel 3; a TTY merges stderr', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('proto') });
    await waitPhase('proto', 'Running');
    const WebSocket = createRequire(import.meta.url)('ws') as new (
      url: string,
      protocols: string[],
      o: { headers: Record<string, string> },
    ) => {
      protocol: string;
      on(e: 'open' | 'close', f: () => void): void;
      on(e: 'message', f: (d: Buffer) => void): void;
      send(d: Buffer): void;
      close(): void;
    };
    const session = (query: string, input?: string) =>
      new Promise<{ protocol: string; frames: [number, string][] }>((ok, fail) => {
        const url = `${api.url.replace('http', 'ws')}/api/v1/namespaces/${NS}/pods/proto/exec?${query}`;
        const ws = new WebSocket(url, ['v4.channel.k8s.io'], { headers: { authorization: `Bearer ${api.token}` } });
        const frames: [number, string][] = [];
        ws.on('open', () => input !== undefined && ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)])));
        ws.on('message', (d) => frames.push([d[0]!, d.subarray(1).toString()]));
        ws.on('close', () => ok({ protocol: ws.protocol, frames }));
        setTimeout(() => fail(new Error('no close')), 10_000);
      });
    const plain = await session(
      'command=sh&command=-c&command=read%20x%3B%20echo%20got%20%24x%3B%20echo%20e%20%3E%262%3B%20exit%202&stdin=true&stdout=true&stderr=true',
      'hi\n',
    );
    expect(plain.protocol).toBe('v4.channel.k8s.io');
    expect(
      plain.frames
        .filter(([c]) => c === 1)
        .map(([, t]) => t)
        .join(''),
    ).toBe('got hi\n');
    expect(
      plain.frames
        .filter(([c]) => c === 2)
        .map(([, t]) => t)
        .join(''),
    ).toBe('e\n');
    const status = JSON.parse(plain.frames.find(([c]) => c === 3)![1]) as V1Status;
    expect(status.details?.causes).toEqual([{ reason: 'ExitCode', message: '2' }]);
    const tty = await session(
      'command=sh&command=-c&command=tty%3B%20echo%20e%20%3E%262&stdout=true&stderr=true&tty=true',
    );
    const screen = tty.frames
      .filter(([c]) => c === 1)
      .map(([, t]) => t)
      .join('');
    expect(screen).toMatch(/^\/dev\/pts\/\d+\r\ne\r\n$/);
    expect(tty.frames.some(([c]) => c === 2)).toBe(false);
    await core.deleteNamespacedPod({ name: 'proto', namespace: NS, gracePeriodSeconds: 0 });
  });

  it('pods/log serves the container output (tailLines), and a watch with a selector sees a pod leave it', async () => {
    await core.createNamespacedPod({ namespace: NS, body: agentPod('talk', {}, 'echo one; echo two; echo three') });
    await waitPhase('talk', 'Succeeded');
    expect(await core.readNamespacedPodLog({ name: 'talk', namespace: NS })).toBe('one\ntwo\nthree\n');
    expect(await core.readNamespacedPodLog({ name: 'talk', namespace: NS, tailLines: 2 })).toBe('two\nthree\n');
    const events: string[] = [];
    const list = await core.listNamespacedPod({ namespace: NS, fieldSelector: 'status.phase=Running' });
    const req = await new Watch(kc).watch(
      `/api/v1/namespaces/${NS}/pods`,
      { resourceVersion: list.metadata!.resourceVersion!, fieldSelector: 'status.phase=Running' },
      (type, o: V1Pod) => events.push(`${type} ${o.metadata?.name} ${o.status?.phase}`),
      () => undefined,
    );
    await core.createNamespacedPod({ namespace: NS, body: agentPod('brief', {}, 'sleep 0.3') });
    await waitFor('brief leaves the selector', async () =>
      events.some((e) => e.startsWith('DELETED brief')) ? true : undefined,
    );
    req.abort();
    expect(events).toEqual(['ADDED brief Running', 'DELETED brief Succeeded']);
  });
});

describe.skipIf(!ROOT)('kubectl exec -it (the stand-in in testing/k8s/kubectl.ts)', () => {
  it("attaches a terminal to the pod's tmux session, sized like the local terminal", async () => {
    await core.createNamespacedPod({
      namespace: NS,
      body: agentPod('att', {}, 'tmux new-session -d -s agent "echo IN-THE-POD; sleep 600"; exec sleep 600'),
    });
    await waitPhase('att', 'Running');
    await waitFor('pod tmux', async () =>
      (await exec('att', ['tmux', 'has-session', '-t', 'agent'])).status.status === 'Success' ? true : undefined,
    );
    const bin = writeKubectl(join(tmp.dir, 'bin'));
    const sock = `k8s-api-attach-${process.pid}`;
    const tmux = (...a: string[]) => execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...a], { encoding: 'utf8' });
    const attach = `PATH='${bin}':$PATH kubectl --kubeconfig '${api.kubeconfigPath}' -n ${NS} exec -it att -c agent -- tmux attach -t agent`;
    try {
      tmux('new-session', '-d', '-s', 'local', '-x', '120', '-y', '40', attach);
      await waitFor('the pod screen', async () =>
        tmux('capture-pane', '-p', '-t', 'local').includes('IN-THE-POD') ? true : undefined,
      );
      const size = await waitFor('the client size', async () => {
        const s = (await exec('att', ['tmux', 'list-clients', '-F', '#{client_width}x#{client_height}'])).out.trim();
        return s === '120x40' ? s : undefined;
      });
      expect(size).toBe('120x40');
      tmux('send-keys', '-t', 'local', 'C-b', 'd');
      await waitFor('detached', async () =>
        (await exec('att', ['tmux', 'list-clients'])).out.trim() === '' ? true : undefined,
      );
    } finally {
      spawnSync('tmux', ['-L', sock, 'kill-server']);
    }
    await core.deleteNamespacedPod({ name: 'att', namespace: NS, gracePeriodSeconds: 0 });
  });
});
