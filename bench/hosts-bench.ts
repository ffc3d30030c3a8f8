// SSH hosts benchmark: `gt sling <bead> <rig> --host <name>` until the sim polecat works on a warm host (master
// connection and town API up; a new polecat, so its clone is made each time), next to the same sling on this machine.
// The host is a real sshd in a network namespace (test/support/netns.ts; loopback fallback without netns). Built CLI.
// Run with `npm run bench:hosts` (builds first). Prints figures next to their targets; asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestHosts } from '../test/support/netns.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SOCKET = `gt-bench-hosts-${process.pid}`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const env = (): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX|GIT_)/.test(k)) out[k] = v;
  return { ...out, GT_DAEMON: 'off', GT_TMUX_SOCKET: SOCKET, GT_SIM_POLL_MS: '60000' };
};

function gt(cwd: string, args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [GT, ...args], { cwd, env: env(), encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt-hosts-bench-'));
  const town = join(base, 'town');
  const hosts = await startTestHosts(base, ['a']);
  try {
    console.log(
      `SSH host: ${hosts.mode === 'netns' ? 'sshd in a network namespace' : 'sshd on a loopback port (no network namespaces here)'}`,
    );
    gt(base, ['install', town]);
    const settingsPath = join(town, 'settings', 'config.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      settingsPath,
      JSON.stringify(
        { ...settings, role_agents: { polecat: 'sim' }, caps: { polecats_per_rig: 40, polecats_per_town: 40 } },
        null,
        2,
      ),
    );
    const src = join(base, 'src');
    spawnSync('git', ['init', '-q', '-b', 'main', src]);
    writeFileSync(join(src, 'README.md'), '# app\n');
    spawnSync('git', ['-C', src, 'add', '-A']);
    spawnSync('git', ['-C', src, '-c', 'user.name=Bench', '-c', 'user.email=b@x', 'commit', '-q', '-m', 'first']);
    gt(town, ['rig', 'add', 'app', src]);
    const h = hosts.hosts[0]!;
    gt(town, [
      'host',
      'add',
      'a',
      h.url,
      '--identity',
      hosts.identity,
      '--accept-new',
      '--node',
      process.execPath,
      '--dir',
      join(h.dir, 'gastown'),
      '--max-polecats',
      '40',
    ]);
    gt(town, ['daemon', 'start']);
    // Work that keeps the polecat busy (it never finishes during the bench).
    const bead = (): string =>
      (
        JSON.parse(gt(town, ['bd', 'create', 'Bench work', '--rig', 'app', '-d', '```sim\nsleep 600\n```\n', '--json']).stdout) as {
          id: string;
        }
      ).id;
    const sling = (where: string[]): { wall: number; elapsed: number } => {
      const r = gt(town, ['sling', bead(), 'app', ...where, '--json']);
      const o = (JSON.parse(r.stdout) as { results: { status: string; elapsedMs: number }[] }).results[0]!;
      if (o.status !== 'started') throw new Error(`sling ${where.join(' ')}: ${o.status}`);
      return { wall: r.ms, elapsed: o.elapsedMs };
    };
    sling(['--host', 'a']); // warms the master connection, the tunnel and the town API
    const remote: number[] = [];
    const local: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      remote.push(sling(['--host', 'a']).wall);
      local.push(sling([]).wall);
    }
    const m = median(remote) / 1000;
    console.log(
      `sling → working on a warm remote host   median ${m.toFixed(2)} s of ${RUNS} (target ≤ 2 s) ${m <= 2 ? 'ok' : 'MISSED'}; min ${(Math.min(...remote) / 1000).toFixed(2)} s`,
    );
    console.log(
      `sling → working on this machine         median ${(median(local) / 1000).toFixed(2)} s of ${RUNS} (for comparison)`,
    );
  } finally {
    spawnSync(process.execPath, [GT, 'daemon', 'stop'], { cwd: town, env: env() });
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    const ctl = join(town, '.runtime', 'ssh', 'a');
    if (existsSync(ctl)) spawnSync('ssh', ['-S', ctl, '-O', 'exit', 'x']);
    hosts.stop();
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

await main();
