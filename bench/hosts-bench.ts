// SSH hosts benchmark (issue 15's "Done when"), with two hosts `a` and `b`, each a real sshd in its own network
// namespace (test/support/netns.ts; loopback fallback without netns), the built CLI and sim agents. Prints
//   - sling → working on a warm remote host (master connection and town API up; a new polecat each time, so its
//     worktree is made each time), next to the same sling on this machine;
//   - `gt hook --json` run by a polecat on a host (N runs inside one ssh call, in its workdir with the environment its
//     agent runs with, timed on the host) against the same in a local polecat's worktree: medians and the ratio;
//   - 30 sim polecats slung at once without --host, placed by the town over this machine and both hosts (caps 10
//     each), each writing its own file and finishing with `gt done`; the daemon and the refinery land them.
// Run with `npm run bench:hosts` (builds first; root for the namespaces). Prints figures next to targets; asserts
// nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAgent } from '../src/agents/table.ts';
import { loadHosts, sshExec, stopMaster, type HostConfig } from '../src/providers/index.ts';
import { paneTarget, shellQuote } from '../src/tmux/index.ts';
import { withTown } from '../test/support/gt.ts';
import { startTestHosts } from '../test/support/netns.ts';
import { benchEnv, GT, gtRunner, median, simTown } from './support/sim-town.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOOK_RUNS = Number(process.env.BENCH_HOOK_RUNS ?? 20);
const FLEET = Number(process.env.BENCH_FLEET ?? 30);
const PER_PLACE = Math.ceil(FLEET / 3);
const SOCKET = `gt-bench-hosts-${process.pid}`;
const env = benchEnv({ GT_DAEMON: 'off', GT_TMUX_SOCKET: SOCKET, GT_SIM_POLL_MS: '10000', GT_DAEMON_TICK_MS: '1000' });
const gt = gtRunner(env);
const q = shellQuote;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The environment a session's agent runs with, from its process (`/proc/<pane pid>/environ`), as K=V words. */
const environWords = (environ: string): string[] => environ.split('\0').filter((kv) => /^[A-Za-z_]\w*=/.test(kv));

/**
 * The script that times `gt hook --json` `HOOK_RUNS` times in `workdir` with exactly `environ` (env -i), each run
 * timed where it runs (date +%s%N around it), then prints one more run's output for the caller to check.
 */
function hookScript(workdir: string, environ: string[]): string {
  const loop = [
    `cd ${q(workdir)}`,
    `i=0; while [ $i -lt ${HOOK_RUNS} ]; do`,
    '  s=$(date +%s%N); gt hook --json >/dev/null 2>&1 || echo fail; e=$(date +%s%N)',
    '  echo "took $((e - s))"; i=$((i + 1))',
    'done',
    'echo @@last; gt hook --json',
  ].join('\n');
  return `env -i ${environ.map(q).join(' ')} /bin/sh -c ${q(loop)}`;
}

/** Nanoseconds per run → ms, with the hook the last run showed (it must be the polecat's bead). */
function hookTimes(out: string, bead: string, where: string): number[] {
  const [runs, last = ''] = out.split('@@last\n');
  if (runs!.includes('fail') || !last.includes(bead))
    throw new Error(`gt hook --json ${where} did not show ${bead}: ${out.slice(-600)}`);
  return [...runs!.matchAll(/^took (\d+)$/gm)].map((m) => Number(m[1]) / 1e6);
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt-hosts-bench-'));
  const hosts = await startTestHosts(base, ['a', 'b']);
  const town = join(base, 'town');
  try {
    console.log(
      `SSH hosts a, b: ${hosts.mode === 'netns' ? 'sshd in network namespaces' : 'sshd on loopback ports (no network namespaces here)'}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    const t = simTown(base, { gt, polecats: 3 * PER_PLACE + 2 * RUNS + 2 });
    const addHost = (name: string, max: number): void => {
      const h = hosts.hosts.find((x) => x.name === name)!;
      gt(town, [
        'host',
        'add',
        name,
        h.url,
        '--identity',
        hosts.identity,
        '--accept-new',
        '--node',
        process.execPath,
        '--dir',
        join(h.dir, 'gastown'),
        '--max-polecats',
        String(max),
      ]);
    };
    addHost('a', 2 * RUNS + 2);
    addHost('b', PER_PLACE);
    gt(town, ['daemon', 'start']);

    // (a) sling → working. The work keeps each polecat busy (it never finishes during the bench).
    const busy: string[] = [];
    const sling = (where: string): { wall: number; polecat: string; bead: string } => {
      const bead = t.bead('Bench work', 'sleep 600');
      busy.push(bead);
      const r = gt(town, ['sling', bead, 'app', '--host', where, '--json']);
      const o = (JSON.parse(r.stdout) as { results: { status: string; polecat: string }[] }).results[0]!;
      if (o.status !== 'started') throw new Error(`sling --host ${where}: ${o.status}`);
      return { wall: r.ms, polecat: o.polecat, bead };
    };
    sling('a'); // warms the master connection, the tunnel and the town API
    const remote: ReturnType<typeof sling>[] = [];
    const local: ReturnType<typeof sling>[] = [];
    for (let i = 0; i < RUNS; i++) {
      remote.push(sling('a'));
      local.push(sling('local'));
    }
    const m = median(remote.map((x) => x.wall));
    console.log(
      `sling → working on a warm remote host   median ${s(m)} of ${RUNS} (target ≤ 2 s) ${m <= 2000 ? 'ok' : 'MISSED'}; min ${s(Math.min(...remote.map((x) => x.wall)))}`,
    );
    console.log(
      `sling → working on this machine         median ${s(median(local.map((x) => x.wall)))} of ${RUNS} (for comparison)`,
    );

    // (c) gt hook --json on the host (one ssh call, timed there) and here, each with its polecat's own environment.
    const agentOf = (address: string): { session: string; workdir: string } => {
      const a = withTown(town, (st) => getAgent(st, address));
      if (!a?.session || !a.workdir) throw new Error(`no session recorded for ${address}`);
      return { session: a.session, workdir: a.workdir };
    };
    const hostA = loadHosts(join(town, 'settings')).find((h) => h.name === 'a')! as HostConfig;
    const paths = { settingsDir: join(town, 'settings'), runtimeDir: join(town, '.runtime') };
    const r0 = remote[0]!;
    const ra = agentOf(r0.polecat);
    const remoteEnviron = environWords(
      await sshExec(
        hostA,
        paths,
        `export TMUX_TMPDIR=${q(`${hostA.dir}/tmux`)}; cat /proc/$(tmux -L ${q(SOCKET)} display-message -p -t ${q(paneTarget(ra.session))} '#{pane_pid}')/environ`,
      ),
    );
    const remoteRuns = hookTimes(
      await sshExec(hostA, paths, hookScript(ra.workdir, remoteEnviron), { timeoutMs: 300_000 }),
      r0.bead,
      `on host a in ${ra.workdir}`,
    );
    const l0 = local[0]!;
    const la = agentOf(l0.polecat);
    const pid = spawnSync(
      'tmux',
      ['-L', SOCKET, 'display-message', '-p', '-t', paneTarget(la.session), '#{pane_pid}'],
      {
        encoding: 'utf8',
        env,
      },
    ).stdout.trim();
    const localEnviron = environWords(readFileSync(`/proc/${pid}/environ`, 'utf8'));
    const localRun = spawnSync('/bin/sh', ['-c', hookScript(la.workdir, localEnviron)], { encoding: 'utf8' });
    const localRuns = hookTimes(localRun.stdout, l0.bead, `here in ${la.workdir}`);
    const rm = median(remoteRuns);
    const lm = median(localRuns);
    console.log(
      `gt hook --json on a host / here         median ${rm.toFixed(0)} ms / ${lm.toFixed(0)} ms of ${HOOK_RUNS} each = ${(rm / lm).toFixed(2)}× (target ≤ 1.5×) ${rm / lm <= 1.5 ? 'ok' : 'MISSED'}; remote through the tunnel (GT_TOWN_URL ${remoteEnviron.find((kv) => kv.startsWith('GT_TOWN_URL='))?.slice(12)})`,
    );

    // (b) The fleet: the busy polecats above let go, then FLEET beads slung at once, placed by the town.
    for (const bead of busy) gt(town, ['unsling', bead]);
    addHost('a', PER_PLACE);
    const hostsFile = join(town, 'settings', 'hosts.json');
    const file = JSON.parse(readFileSync(hostsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(hostsFile, JSON.stringify({ ...file, placement: { local_max_polecats: PER_PLACE } }, null, 2));
    const ids = Array.from({ length: FLEET }, (_, i) => t.bead(`Fleet ${i}`, `write fleet-${i}.txt "fleet ${i}\\n"`));
    const t0 = Date.now();
    const r = gt(town, ['sling', ...ids, 'app', '--json']);
    const slung = (JSON.parse(r.stdout) as { results: { status: string; polecat?: string; host?: string }[] }).results;
    const placed = new Map<string, number>();
    for (const x of slung) {
      const where = x.polecat ? (x.host ?? 'local') : `not placed by the sling (${x.status})`;
      placed.set(where, (placed.get(where) ?? 0) + 1);
    }
    const landed = await t.waitOnMain(
      ids.map((_, i) => `fleet-${i}.txt`),
      900_000,
    );
    const took = (Date.now() - t0) / 1000;
    const where = [...placed]
      .sort(([x], [y]) => (x === 'local' ? -1 : y === 'local' ? 1 : x.localeCompare(y)))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(
      `${FLEET} sim polecats, local + 2 hosts, at once ${landed}/${FLEET} landed in ${took.toFixed(1)} s (the sling itself ${s(r.ms)}), merged exactly once: ${t.mergedOnce(ids)}/${FLEET}, placed: ${where}`,
    );
  } finally {
    spawnSync(process.execPath, [GT, 'daemon', 'stop'], { cwd: town, env });
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    const paths = { settingsDir: join(town, 'settings'), runtimeDir: join(town, '.runtime') };
    for (const h of loadHosts(paths.settingsDir)) await stopMaster(h, paths).catch(() => undefined);
    hosts.stop();
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

await main();
