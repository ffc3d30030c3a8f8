// Kubernetes host benchmark (docs/kubernetes.md): the test API server of testing/k8s (each pod a real process tree
// with its own mounts and tmux; run as root), the built CLI, sim agents. Prints
//   - cold start: pod created → the sim agent working on its hook (its screen shows `sim: working`), per sling;
//   - 20 sim polecats as pods, slung at once: all landed, each merged once, and how long it took.
// Run with `npm run bench:k8s` (builds first). Prints figures next to their targets; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnKubeApi } from '../testing/k8s/index.ts';
import { benchEnv, GT, gtRunner, median, ROOT as root, simTown, sleep } from './support/sim-town.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FLEET = Number(process.env.BENCH_PODS ?? 20);
const SOCKET = `gt-bench-k8s-${process.pid}`;
const IMAGE = 'gastown/agent:bench';
const env = benchEnv({ GT_TMUX_SOCKET: SOCKET, GT_SIM_POLL_MS: '2000', GT_DAEMON_TICK_MS: '500' });
const gt = gtRunner(env);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('bench:k8s needs root (the test API server runs pods in their own namespaces); skipped');
    return;
  }
  const base = mkdtempSync(join(tmpdir(), 'gt-k8s-bench-'));
  const town = join(base, 'town');
  const api = await spawnKubeApi({
    dir: join(base, 'kube'),
    images: { [IMAGE]: { files: [root, dirname(process.execPath)] } },
    maxPods: 200,
  });
  try {
    const { bead, mergedOnce, waitOnMain } = simTown(base, { gt, polecats: 60 });
    const added = gt(town, [
      'host',
      'add',
      'pods',
      'k8s://test/default',
      '--kubeconfig',
      api.kubeconfigPath,
      '--image',
      IMAGE,
      '--node',
      process.execPath,
      '--gt-root',
      root,
      '--max-polecats',
      '60',
    ]);
    console.log(`gt host add (API, RBAC, image, secrets checked)   ${(added.ms / 1000).toFixed(2)} s`);
    gt(town, ['daemon', 'start']);
    // Cold start: the sling's own wall time, and pod creation → the agent's screen showing it works.
    const cold: number[] = [];
    const wall: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const id = bead(`Cold start ${i}`, 'sleep 600');
      const t0 = Date.now();
      const r = gt(town, ['sling', id, 'app', '--host', 'pods', '--json'], false);
      const o = (JSON.parse(r.stdout) as { results: { status: string; polecat: string; reason?: string }[] })
        .results[0]!;
      if (o.status !== 'started') {
        console.log(`  a cold start did not come up (${o.status}: ${o.reason ?? ''}); not counted`);
        continue;
      }
      const reqs = await api.requests();
      const created = reqs.filter((q) => q.method === 'POST' && q.path.split('?')[0]!.endsWith('/pods') && q.at >= t0);
      const createdAt = created[0]?.at ?? t0;
      let working = 0;
      for (let n = 0; n < 600 && !working; n++) {
        const peek = gt(town, ['peek', o.polecat], false);
        if (peek.stdout.includes('sim: working')) working = Date.now();
        else await sleep(100);
      }
      if (i === 0 || !working) continue; // the first start warms the town API and the client
      cold.push(working - createdAt);
      wall.push(r.ms);
      gt(town, ['unsling', id], false);
    }
    const c = median(cold) / 1000;
    console.log(
      `pod create → agent working (cold)                 median ${c.toFixed(2)} s of ${RUNS} (target ≤ 30 s cold) ${c <= 30 ? 'ok' : 'MISSED'}; min ${(Math.min(...cold) / 1000).toFixed(2)} s`,
    );
    console.log(`gt sling --host pods (until the agent is up)      median ${(median(wall) / 1000).toFixed(2)} s`);

    // The fleet: FLEET sim polecats as pods, slung together, each landing once.
    const ids = Array.from({ length: FLEET }, (_, i) => bead(`Fleet ${i}`, `write fleet-${i}.txt "pod ${i}\\n"`));
    const t0 = Date.now();
    const r = gt(town, ['sling', ...ids, 'app', '--host', 'pods', '--json'], false);
    const slung = (JSON.parse(r.stdout) as { results: { status: string }[] }).results;
    const landed = await waitOnMain(
      ids.map((_, i) => `fleet-${i}.txt`),
      600_000,
    );
    const took = (Date.now() - t0) / 1000;
    const once = mergedOnce(ids);
    console.log(
      `${FLEET} sim polecats as pods, slung at once          ${landed}/${FLEET} landed in ${took.toFixed(1)} s (the sling itself took ${(r.ms / 1000).toFixed(1)} s; ${slung.filter((x) => x.status === 'started').length} started by the sling, the rest by the daemon); merged exactly once: ${once}/${FLEET}`,
    );
  } finally {
    spawnSync(process.execPath, [GT, 'daemon', 'stop'], { cwd: town, env });
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    await api.stop();
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

await main();
