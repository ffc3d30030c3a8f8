// Pod faults beyond eviction and Pending, end to end through the built gt and the official client against the test
// API server (testing/k8s): a pod OOM-killed mid-work and a lost node show dead with their reason in gt agents, the
// hook resumes in a new pod from the last commit pushed from the old one, the work lands exactly once; an image that
// fails to pull shows the pull error, lands nothing until it pulls, then lands once. (Set-up as in k8s-loop.test.ts.)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOWN_EVENTS } from '../src/kernel/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { countTownEvents } from '../src/town/index.ts';
import { startKubeApi, type KubeApi } from '../testing/k8s/index.ts';
import { sourceRepo, tempDir, withTown } from './support/gt.ts';
import { gtBuiltAsync, requireFreshBuild } from './support/gt-built.ts';

const SOCKET = `gt-test-k8sf-${process.pid}`;
const env = { GT_TMUX_SOCKET: SOCKET, GT_DAEMON_TICK_MS: '300', GT_DAEMON_GRACE_MS: '5000', GT_SIM_POLL_MS: '2000' };
const IMAGE = 'gastown/agent:test';
const root = resolve(import.meta.dirname, '..');
const sim = (...lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');
const isRoot = process.getuid?.() === 0;

interface SlingJson {
  results: { bead: string; status: string; polecat?: string; host?: string; reason?: string }[];
}
interface AgentJson {
  address: string;
  state: string;
  host: string | null;
  hooked_bead: string | null;
  reason: string | null;
}

describe.skipIf(!isRoot)('pod faults: OOM-killed, node lost, image pull failing', () => {
  let base = '';
  let town = '';
  let api: KubeApi | undefined;
  let cleanup = (): void => {};
  const gt = async (args: string[]) => gtBuiltAsync(town, args, env);
  const gtj = async <T>(args: string[]): Promise<T> => {
    const r = await gt([...args, '--json']);
    if (r.code !== 0) throw new Error(`gt ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout) as T;
  };
  const bead = async (title: string, description: string): Promise<string> =>
    (await gtj<{ id: string }>(['bd', 'create', title, '-d', description, '--rig', 'app'])).id;
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', join(town, 'app', '.repo.git'), ...args], { encoding: 'utf8' });
  const mainFile = (path: string): string | undefined => {
    const r = git('show', `main:${path}`);
    return r.status === 0 ? r.stdout : undefined;
  };
  const merged = (id: string): number =>
    withTown(town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.refinery.merged, subject: id }));
  const until = async <T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    ms = 90_000,
    last?: () => unknown,
  ): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}${last ? `; last seen: ${JSON.stringify(last())}` : ''}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  let lastAgent: AgentJson | undefined;
  const agent = async (address: string) =>
    (lastAgent = (await gtj<AgentJson[]>(['agents'])).find((a) => a.address === address));
  const podOf = (address: string) => `${SOCKET}-app-${address.split('/')[1]}`.toLowerCase();
  /** Work that commits (pushed to the town by the pod's post-commit hook), then takes a while, then finishes. */
  const resumable = (tag: string) =>
    sim(
      `run if [ -f ${tag}-1.txt ]; then echo resumed > ${tag}-resumed.txt; fi`,
      `write ${tag}-1.txt "one\\n"`,
      `run git add -A && git commit -qm ${tag}-step1`,
      'sleep 8',
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
    requireFreshBuild();
    const t = tempDir('gt k8s faults');
    base = t.dir;
    cleanup = t.cleanup;
    api = await startKubeApi({
      dir: join(base, 'kube'),
      images: { [IMAGE]: { files: [root, dirname(process.execPath)] } },
      maxPods: 30,
    });
    town = join(base, 'town');
    const installed = await gtBuiltAsync(base, ['install', town, '--json'], env);
    expect(installed.code, installed.stderr).toBe(0);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath, JSON.stringify({ ...settings, role_agents: { polecat: 'sim' } }, null, 2));
    sourceRepo(join(base, 'app src'), 'main', { 'README.md': '# app\n' });
    await gtj(['rig', 'add', 'app', join(base, 'app src')]);
    await gtj([
      'host',
      'add',
      'pods',
      'k8s://test/default',
      '--kubeconfig',
      api.kubeconfigPath,
      '--node',
      process.execPath,
      '--gt-root',
      root,
      '--max-polecats',
      '8',
      '--image',
      IMAGE,
    ]);
    await gtj(['daemon', 'start']);
  }, 120_000);

  afterAll(async () => {
    if (town) await gt(['daemon', 'stop']);
    await api?.stop();
    // Nothing ran on the town's own tmux: every polecat ran in its pod, never a second time here.
    const local = createTmux({ socket: SOCKET });
    const stray = (await local.listSessions()).map((x) => x.name);
    await local.killServer();
    expect(stray).toEqual([]);
    cleanup();
  }, 60_000);

  it('an OOM-killed pod: gt agents shows it dead with OOMKilled, the hook resumes from the pushed commit, lands once', async () => {
    const { id, address } = await slingResumable('oom');
    await gtj(['daemon', 'stop']);
    await api!.oomKill('default', podOf(address));
    const seen = await deadWith(address, /OOMKilled/);
    await gtj(['daemon', 'start']);
    expect(seen).toMatchObject({ state: 'dead', host: 'pods' });
    await landsOnceResumed(id, 'oom');
  }, 240_000);

  it('a lost node: gt agents shows NodeLost, the new pod waits for a node, resumes when it is back, lands once', async () => {
    const { id, address } = await slingResumable('lost');
    await gtj(['daemon', 'stop']);
    await api!.loseNode();
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
      await api!.restoreNode();
    }
    await landsOnceResumed(id, 'lost');
  }, 240_000);

  it('an image that fails to pull: gt agents shows the pull error, nothing lands until the image works, then once', async () => {
    await api!.failImage(IMAGE);
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
    await api!.failImage(IMAGE, false);
    await until(() => mainFile('image.txt'), 'the work to land once the image pulls', 120_000);
    await until(() => merged(id) > 0, 'the merge event');
    expect(merged(id)).toBe(1);
  }, 240_000);
});
