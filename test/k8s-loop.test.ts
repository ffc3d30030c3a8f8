// Polecats as Kubernetes pods, through the built gt and the official client, against the test API server
// (testing/k8s: each pod a real process tree in its own mount and PID namespaces, its own tmux, exec over WebSocket):
// gt host add k8s://… → gt sling --host → the pod clones the polecat's branch from the town's git endpoint and runs
// the sim agent in tmux → gt done pushes and queues → the town's refinery lands it, once. gt agents, peek and nudge
// reach the pod. Then the faults: a pod evicted mid-work resumes from its last pushed commit, and a pod waiting for
// room shows why in gt agents and starts when the cluster has room; neither lands twice.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pod } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, isRoot, k8sTown, sim, type AgentJson, type SlingJson } from './support/k8s-town.ts';

const SOCKET = `gt-test-k8s-${process.pid}`;

describe.skipIf(!isRoot)('polecats as Kubernetes pods', () => {
  const k = k8sTown(SOCKET);
  const { gt, gtj, bead, mainFile, merged, until, agent, podOf } = k;

  beforeAll(() => k.setUp('gt k8s'), 120_000);
  afterAll(() => k.tearDown(), 60_000);

  it('adds a namespace as a host after checking the API, the RBAC and the image; lists and checks it', async () => {
    const badContext = await gt(['host', 'add', 'x', 'k8s://nope/default', '--kubeconfig', k.api!.kubeconfigPath]);
    expect(badContext.code).toBe(1);
    expect(badContext.stderr).toMatch(/has no context "nope"/);
    const t0 = Date.now();
    const r = await k.addHost(['--image', IMAGE]);
    process.stderr.write(`host add ${Date.now() - t0} ms\n`);
    expect(r.code, r.stderr).toBe(0);
    const added = JSON.parse(r.stdout) as {
      kind: string;
      k8s: { image: string; namespace: string };
      check: { ok: boolean };
    };
    expect(added).toMatchObject({ kind: 'k8s', k8s: { image: IMAGE, namespace: 'default' }, check: { ok: true } });
    expect((await gtj<{ name: string; url: string }[]>(['host', 'list'])).map((h) => [h.name, h.url])).toEqual([
      ['pods', 'k8s://test/default'],
    ]);
    const checked = await gtj<{ host: string; ok: boolean; checks: { id: string; status: string }[] }[]>([
      'host',
      'check',
    ]);
    expect(checked[0]).toMatchObject({ host: 'pods', ok: true });
    expect(checked[0]!.checks.filter((c) => c.status === 'ok').map((c) => c.id)).toEqual(
      expect.arrayContaining(['k8s.pods.api', 'k8s.pods.rbac', 'k8s.pods.image']),
    );
    // gt doctor runs the same checks for every Kubernetes host of the town.
    const doctor = JSON.parse((await gt(['doctor', '--json'])).stdout) as { checks: { id: string; status: string }[] };
    expect(doctor.checks.filter((c) => c.id.startsWith('k8s.pods.')).map((c) => [c.id, c.status])).toEqual(
      expect.arrayContaining([
        ['k8s.pods.api', 'ok'],
        ['k8s.pods.rbac', 'ok'],
        ['k8s.pods.image', 'ok'],
      ]),
    );
    // Pods need the town API: the daemon keeps it up while the town has hosts, and lands what polecats finish.
    const t1 = Date.now();
    await gtj(['daemon', 'start']);
    process.stderr.write(`daemon start ${Date.now() - t1} ms\n`);
  }, 60_000);

  it('runs a polecat in a pod: clone, sim agent in tmux; agents, peek and nudge reach it; it lands once', async () => {
    const id = await bead(
      'Pod change',
      'Made in a pod.' + sim('write pod.txt "from a pod\\n"', 'sleep 8', 'write done.txt "yes\\n"'),
    );
    const before = (await k.api!.requests()).length;
    const r = await gtj<SlingJson>(['sling', id, 'app', '--host', 'pods']);
    expect(r.results[0], JSON.stringify(r)).toMatchObject({ status: 'started', host: 'pods' });
    const address = r.results[0]!.polecat!;
    const a = await agent(address);
    expect(a).toMatchObject({ host: 'pods', hooked_bead: id });
    const peek = await gt(['peek', address]);
    expect(peek.code, peek.stderr).toBe(0);
    expect(peek.stdout).toContain(`sim agent ${address}`);
    const nudged = await gt(['nudge', address, 'ping from the town', '--mode', 'immediate', '--json']);
    expect(nudged.code, nudged.stderr).toBe(0);
    expect(JSON.parse(nudged.stdout)).toMatchObject({ status: 'delivered' });
    // The pod the provider sent: a valid Pod, labelled, restartPolicy Never, not root.
    const created = (await k.api!.requests())
      .slice(before)
      .filter((q) => q.method === 'POST' && /\/pods$/.test(q.path.split('?')[0]!));
    expect(created).toHaveLength(1);
    const manifest = created[0]!.body as {
      metadata: { labels: Record<string, string> };
      spec: { restartPolicy: string };
    };
    expect(() => new Pod(manifest as ConstructorParameters<typeof Pod>[0]).validate()).not.toThrow();
    expect(manifest.metadata.labels).toMatchObject({
      'gastown.dev/rig': 'app',
      'gastown.dev/bead': id,
      'gastown.dev/polecat': address.split('/')[1],
    });
    expect(manifest.spec.restartPolicy).toBe('Never');
    // gt attach runs kubectl exec -it … tmux attach (the command, not run here: kubectl is no test dependency).
    await until(() => mainFile('done.txt'), 'the pod work to land');
    expect(mainFile('pod.txt')).toBe('from a pod\n');
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  }, 180_000);

  it('one pod list answers gt agents for every pod: no call per agent', async () => {
    // The daemon lists too: stopped while gt agents is counted.
    await gtj(['daemon', 'stop']);
    try {
      const before = (await k.api!.requests()).length;
      const agents = await gtj<AgentJson[]>(['agents']);
      expect(agents.filter((a) => a.host === 'pods').length).toBeGreaterThan(0);
      const calls = (await k.api!.requests()).slice(before).map((q) => `${q.method} ${q.path.split('?')[0]}`);
      expect(calls.filter((c) => c === 'GET /api/v1/namespaces/default/pods')).toHaveLength(1);
      expect(calls.filter((c) => /^GET \/api\/v1\/namespaces\/default\/pods\/[^/]+$/.test(c))).toEqual([]);
    } finally {
      await gtj(['daemon', 'start']);
    }
  }, 60_000);

  it('an evicted pod: gt agents says so, the hook resumes in a new pod from the last pushed commit, lands once', async () => {
    const id = await bead(
      'Evicted work',
      'Resumes after an eviction.' +
        sim(
          'run if [ -f step1.txt ]; then echo resumed > resumed.txt; fi',
          'write step1.txt "one\\n"',
          'run git add -A && git commit -qm step1',
          // The first run waits past the test's time limit: the eviction always comes before it ends, and only a run
          // resumed from the pushed commit lands (a sleep of any length lost that race under load).
          'run [ -f resumed.txt ] || sleep 600',
          'write evicted-done.txt "evicted and done\\n"',
        ),
    );
    const r = await gtj<SlingJson>(['sling', id, 'app', '--host', 'pods']);
    expect(r.results[0]).toMatchObject({ status: 'started' });
    const address = r.results[0]!.polecat!;
    const name = address.split('/')[1]!;
    // step1 pushed to the town from the pod (post-commit hook), then the node evicts the pod.
    await until(
      () =>
        spawnSync('git', ['-C', join(k.town, 'app', '.repo.git'), 'show', `polecat/${name}/${id}:step1.txt`]).status ===
          0 ||
        spawnSync('git', ['-C', join(k.town, 'app', '.repo.git'), 'log', '--all', '--format=%s'])
          .stdout.toString()
          .includes('step1'),
      'step1 pushed from the pod',
    );
    // The daemon replaces a dead pod within a tick: stopped meanwhile, so gt agents is seen saying what happened.
    await gtj(['daemon', 'stop']);
    await k.api!.evict('default', podOf(address));
    const seen = await until(
      async () => {
        const a = await agent(address);
        return a && /Evicted/.test(a.reason ?? '') ? a : undefined;
      },
      'gt agents to show the eviction',
      30_000,
    );
    await gtj(['daemon', 'start']);
    expect(seen).toMatchObject({ state: 'dead', host: 'pods' });
    await until(() => mainFile('evicted-done.txt'), 'the evicted work to land after its restart', 120_000);
    expect(mainFile('resumed.txt')).toBe('resumed\n');
    expect(mainFile('step1.txt')).toBe('one\n');
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  }, 240_000);

  it('a pod waiting for room: sling says so, gt agents shows Unschedulable, it starts when room frees and lands once', async () => {
    const hostsFile = join(k.town, 'settings', 'hosts.json');
    const hosts = JSON.parse(readFileSync(hostsFile, 'utf8')) as { hosts: { pods: { k8s: Record<string, unknown> } } };
    hosts.hosts.pods.k8s.pending_grace_s = 2;
    writeFileSync(hostsFile, JSON.stringify(hosts, null, 2));
    await k.api!.setCapacity(0);
    const id = await bead('Waits for room', 'Runs once the cluster has room.' + sim('write room.txt "had room\\n"'));
    // Hooked, its agent not started yet: gt sling exits 1 and says why. (On a loaded machine the daemon may have
    // started the pod first, as the sling's start was slow: then the sling stepped back and reports it started.)
    const out = await gt(['sling', id, 'app', '--host', 'pods', '--json']);
    const r = JSON.parse(out.stdout) as SlingJson;
    if (r.results[0]!.status !== 'started') {
      expect(out.code).toBe(1);
      expect(r.results[0]).toMatchObject({ status: 'hooked' });
      expect(r.results[0]!.reason).toMatch(/Unschedulable/);
    }
    const address = r.results[0]!.polecat!;
    const a = await agent(address);
    expect(a).toMatchObject({ state: 'starting', host: 'pods', hooked_bead: id });
    expect(a!.reason).toMatch(/Unschedulable/);
    await k.api!.setCapacity(30);
    await until(() => mainFile('room.txt'), 'the work to land once the pod ran', 120_000);
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  }, 240_000);
});
