// Pod faults beyond eviction and Pending, end to end through the built gt and the official client against the test
// API server (testing/k8s): a pod OOM-killed mid-work and a lost node show dead with their reason in gt agents, the
// hook resumes in a new pod from the last commit pushed from the old one, the work lands exactly once; an image that
// fails to pull shows the pull error, lands nothing until it pulls, then lands once. (Set-up shared with k8s-loop.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, isRoot, k8sTown, sim, type AgentJson, type SlingJson } from './support/k8s-town.ts';

const SOCKET = `gt-test-k8sf-${process.pid}`;

describe.skipIf(!isRoot)('pod faults: OOM-killed, node lost, image pull failing', () => {
  const k = k8sTown(SOCKET);
  const { gt, gtj, bead, git, mainFile, merged, until, podOf } = k;
  let lastAgent: AgentJson | undefined;
  const agent = async (address: string) => (lastAgent = await k.agent(address));
  /**
   * Work that commits (pushed to the town by the pod's post-commit hook), then finishes only when it started from that
   * commit: the first run waits past the test's own time limit, so the fault always comes before it ends (a sleep of
   * any length lost that race under load), and only a run resumed from the pushed commit lands.
   */
  const resumable = (tag: string) =>
    sim(
      `run if [ -f ${tag}-1.txt ]; then echo resumed > ${tag}-resumed.txt; fi`,
      `write ${tag}-1.txt "one\\n"`,
      `run git add -A && git commit -qm ${tag}-step1`,
      `run [ -f ${tag}-resumed.txt ] || sleep 600`,
      `write ${tag}-done.txt "done\\n"`,
    );
  const slingResumable = async (tag: string): Promise<{ id: string; address: string }> => {
    const id = await bead(`${tag} work`, `Resumes after a fault.${resumable(tag)}`);
    const r = await gtj<SlingJson>(['sling', id, 'app', '--host', 'pods']);
    expect(r.results[0], JSON.stringify(r)).toMatchObject({ status: 'started', host: 'pods' });
    const address = r.results[0]!.polecat!;
    await until(
      () => git('log', '--all', '--format=%s').stdout.includes(`${tag}-step1`),
      `${tag}-step1 pushed from the pod`,
    );
    return { id, address };
  };
  /** The dead pod's reason in gt agents (the daemon is stopped meanwhile: it would replace the pod within a tick). */
  const deadWith = (address: string, reason: RegExp) =>
    until(
      async () => {
        const a = await agent(address);
        return a && reason.test(a.reason ?? '') ? a : undefined;
      },
      `gt agents to show ${reason}`,
      30_000,
      () => lastAgent,
    );
  const landsOnceResumed = async (id: string, tag: string) => {
    await until(() => mainFile(`${tag}-done.txt`), `the ${tag} work to land after its restart`, 120_000);
    expect(mainFile(`${tag}-resumed.txt`)).toBe('resumed\n');
    expect(mainFile(`${tag}-1.txt`)).toBe('one\n');
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  };

  beforeAll(async () => {
    await k.setUp('gt k8s faults');
    const r = await k.addHost(['--image', IMAGE]);
    expect(r.code, r.stderr).toBe(0);
    await gtj(['daemon', 'start']);
  }, 120_000);

  afterAll(() => k.tearDown(), 60_000);

  it('an OOM-killed pod: gt agents shows it dead with OOMKilled, the hook resumes from the pushed commit, lands once', async () => {
    const { id, address } = await slingResumable('oom');
    await gtj(['daemon', 'stop']);
    await k.api!.oomKill('default', podOf(address));
    const seen = await deadWith(address, /OOMKilled/);
    await gtj(['daemon', 'start']);
    expect(seen).toMatchObject({ state: 'dead', host: 'pods' });
    await landsOnceResumed(id, 'oom');
  }, 240_000);

  it('a lost node: gt agents shows NodeLost, the new pod waits for a node, resumes when it is back, lands once', async () => {
    const { id, address } = await slingResumable('lost');
    await gtj(['daemon', 'stop']);
    await k.api!.loseNode();
    const seen = await deadWith(address, /NodeLost|node lost/);
    expect(seen).toMatchObject({ state: 'dead', host: 'pods' });
    await gtj(['daemon', 'start']);
    try {
      // The replacement pod cannot schedule while the node is gone: nothing lands meanwhile.
      await until(
        async () => {
          const a = await agent(address);
          return a && a.state !== 'dead' && /Unschedulable|Pending/.test(a.reason ?? '') ? a : undefined;
        },
        'the replacement pod to wait for a node',
        60_000,
        () => lastAgent,
      );
      expect(mainFile('lost-done.txt')).toBeUndefined();
    } finally {
      await k.api!.restoreNode();
    }
    await landsOnceResumed(id, 'lost');
  }, 240_000);

  it('an image that fails to pull: gt agents shows the pull error, nothing lands until the image works, then once', async () => {
    await k.api!.failImage(IMAGE);
    const id = await bead('Image work', 'Lands once the image pulls.' + sim('write image.txt "pulled\\n"'));
    const out = await gt(['sling', id, 'app', '--host', 'pods', '--json']);
    const r = JSON.parse(out.stdout) as SlingJson;
    // Hooked, its pod waiting for the image: gt sling exits 1 and says why; the pod is kept (the kubelet retries).
    expect(out.code, out.stderr).toBe(1);
    expect(r.results[0], out.stdout).toMatchObject({ status: 'hooked' });
    expect(r.results[0]!.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    const address = r.results[0]!.polecat!;
    const seen = await until(
      async () => {
        const a = await agent(address);
        return a && /ErrImagePull|ImagePullBackOff/.test(a.reason ?? '') ? a : undefined;
      },
      'gt agents to show the image pull error',
      30_000,
      () => lastAgent,
    );
    expect(seen).toMatchObject({ state: 'starting', host: 'pods', hooked_bead: id });
    // The daemon runs a while with the image still failing: the hook stays, nothing lands.
    await new Promise((res) => setTimeout(res, 4000));
    expect(mainFile('image.txt')).toBeUndefined();
    expect(merged(id)).toBe(0);
    expect(await agent(address)).toMatchObject({ state: 'starting', hooked_bead: id });
    await k.api!.failImage(IMAGE, false);
    await until(() => mainFile('image.txt'), 'the work to land once the image pulls', 120_000);
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  }, 240_000);
});
