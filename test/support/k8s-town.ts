// A town whose rig `app` sends sim polecats to a Kubernetes namespace of the test API server (testing/k8s), driven
// through the built gt: what the k8s suites share (k8s-loop, k8s-faults). `setUp` installs the town and the rig;
// `addHost` adds the namespace as host `pods`; `tearDown` stops the daemon and the API server and fails if any session
// ran on the town's own tmux (every polecat runs in its pod, never a second time here).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { TOWN_EVENTS } from '../../src/kernel/index.ts';
import { createTmux } from '../../src/tmux/index.ts';
import { countTownEvents } from '../../src/town/index.ts';
import { startKubeApi, type KubeApi } from '../../testing/k8s/index.ts';
import { sourceRepo, tempDir, withTown } from './gt.ts';
import { gtBuiltAsync, requireFreshBuild } from './gt-built.ts';

export const IMAGE = 'gastown/agent:test';
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const isRoot = process.getuid?.() === 0;
export const sim = (...lines: string[]): string => ['', '```sim', ...lines, '```', ''].join('\n');

export interface SlingJson {
  results: { bead: string; status: string; polecat?: string; host?: string; reason?: string }[];
}
export interface AgentJson {
  address: string;
  state: string;
  host: string | null;
  hooked_bead: string | null;
  reason: string | null;
}

export function k8sTown(socket: string) {
  const env = {
    GT_TMUX_SOCKET: socket,
    GT_DAEMON_TICK_MS: '300',
    GT_DAEMON_GRACE_MS: '5000',
    GT_SIM_POLL_MS: '2000',
  };
  const k = {
    env,
    base: '',
    town: '',
    api: undefined as KubeApi | undefined,
    cleanup: (): void => {},
    gt: async (args: string[]) => gtBuiltAsync(k.town, args, env),
    gtj: async <T>(args: string[]): Promise<T> => {
      const r = await k.gt([...args, '--json']);
      if (r.code !== 0) throw new Error(`gt ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return JSON.parse(r.stdout) as T;
    },
    bead: async (title: string, description: string): Promise<string> =>
      (await k.gtj<{ id: string }>(['bd', 'create', title, '-d', description, '--rig', 'app'])).id,
    git: (...args: string[]) =>
      spawnSync('git', ['-C', join(k.town, 'app', '.repo.git'), ...args], { encoding: 'utf8' }),
    mainFile: (path: string): string | undefined => {
      const r = k.git('show', `main:${path}`);
      return r.status === 0 ? r.stdout : undefined;
    },
    merged: (id: string): number =>
      withTown(k.town, (s) => countTownEvents(s, { kind: TOWN_EVENTS.refinery.merged, subject: id })),
    until: async <T>(
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
    },
    agent: async (address: string) => (await k.gtj<AgentJson[]>(['agents'])).find((a) => a.address === address),
    podOf: (address: string) => `${socket}-app-${address.split('/')[1]}`.toLowerCase(),
    /** `gt host add pods k8s://test/default …` with `extra` options (e.g. `--image`), as gt's result. */
    addHost: (extra: string[]) =>
      k.gt([
        'host',
        'add',
        'pods',
        'k8s://test/default',
        '--kubeconfig',
        k.api!.kubeconfigPath,
        '--node',
        process.execPath,
        '--gt-root',
        ROOT,
        '--max-polecats',
        '8',
        ...extra,
        '--json',
      ]),
    async setUp(name: string): Promise<void> {
      requireFreshBuild();
      const t = tempDir(name);
      k.base = t.dir;
      k.cleanup = t.cleanup;
      // The image holds the checkout and node gt runs from (a pod's own /tmp would hide a checkout under /tmp).
      k.api = await startKubeApi({
        dir: join(k.base, 'kube'),
        images: { [IMAGE]: { files: [ROOT, dirname(process.execPath)] } },
        maxPods: 30,
      });
      k.town = join(k.base, 'town');
      const installed = await gtBuiltAsync(k.base, ['install', k.town, '--json'], env);
      expect(installed.code, installed.stderr).toBe(0);
      const settingsPath = join(k.town, 'settings', 'config.json');
      const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(settingsPath, JSON.stringify({ ...settings, role_agents: { polecat: 'sim' } }, null, 2));
      sourceRepo(join(k.base, 'app src'), 'main', { 'README.md': '# app\n' });
      await k.gtj(['rig', 'add', 'app', join(k.base, 'app src')]);
    },
    async tearDown(): Promise<void> {
      if (k.town) await k.gt(['daemon', 'stop']);
      await k.api?.stop();
      const local = createTmux({ socket });
      const stray = (await local.listSessions()).map((x) => x.name);
      await local.killServer();
      expect(stray).toEqual([]);
      k.cleanup();
    },
  };
  return k;
}
