// Work-loop benchmark (`npm run bench:work`): `gt sling` of one bead (worktree and session start included) and of a
// batch of 20, merge-queue throughput serial versus batch with 1 bad request in 16, and 50 sim polecats at once:
// the time to land all 50 and the daemon's share of the CPU. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createTmux } from '../src/tmux/index.ts';
import { benchMergeQueue } from './work-refinery.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const CLK_TCK = 100;

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|BEADS_|TMUX)/.test(k)) out[k] = v;
  return { ...out, BD_ACTOR: 'bench', ...extra };
}

function gt(cwd: string, args: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [GT, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.stderr}`);
  return { ms: performance.now() - t0, stdout: r.stdout };
}

function makeTown(base: string, name: string, env: Record<string, string>): { town: string; rig: string } {
  const town = join(base, name);
  gt(base, ['install', town], env);
  const settingsPath = join(town, 'settings', 'config.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    settingsPath,
    JSON.stringify({
      ...settings,
      role_agents: { polecat: 'sim' },
      caps: { polecats_per_rig: 60, polecats_per_town: 60 },
    }),
  );
  const src = join(base, `${name} src`);
  mkdirSync(src);
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['commit', '-q', '--allow-empty', '-m', 'start'],
  ]) {
    spawnSync('git', ['-c', 'user.name=B', '-c', 'user.email=b@x', ...args], { cwd: src });
  }
  gt(town, ['rig', 'add', 'app', src], env);
  return { town, rig: join(town, 'app') };
}

const simBead = (town: string, i: number, env: Record<string, string>): string =>
  (
    JSON.parse(
      gt(
        join(town, 'app'),
        [
          'bd',
          'create',
          `Page ${i}`,
          '-d',
          `One page.\n\`\`\`sim\nwrite pages/p${i}.html "<p>${i}</p>\\n"\n\`\`\`\n`,
          '--json',
        ],
        env,
      ).stdout,
    ) as { id: string }
  ).id;

async function benchSling(base: string): Promise<void> {
  const env = { GT_TMUX_SOCKET: `gt-bench-sling-${process.pid}`, GT_DAEMON: 'off', GT_SIM_POLL_MS: '600000' };
  const { town } = makeTown(base, 'sling town', env);
  try {
    const singles: number[] = [];
    for (let i = 0; i < 7; i++) singles.push(gt(town, ['sling', simBead(town, i, env), 'app'], env).ms);
    const batch = Array.from({ length: 20 }, (_, i) => simBead(town, 100 + i, env));
    const batchMs = gt(town, ['sling', ...batch, 'app'], env).ms;
    console.log(
      `gt sling, one bead (new worktree + sim session to its prompt)   median ${median(singles).toFixed(0)} ms, worst ${Math.max(...singles).toFixed(0)} ms (7 runs; target ≤ 1000 ms)`,
    );
    console.log(
      `gt sling, a batch of 20 beads                                   ${batchMs.toFixed(0)} ms (${(batchMs / 20).toFixed(0)} ms a bead)`,
    );
  } finally {
    await createTmux({ socket: env.GT_TMUX_SOCKET }).killServer();
  }
}

/** CPU seconds a process has used so far (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

async function benchFifty(base: string, n: number): Promise<void> {
  const env = {
    GT_TMUX_SOCKET: `gt-bench-fifty-${process.pid}`,
    GT_DAEMON: 'off',
    GT_DAEMON_TICK_MS: '1000',
    GT_SIM_POLL_MS: '600000',
  };
  const { town } = makeTown(base, 'fifty town', env);
  const ids = Array.from({ length: n }, (_, i) => simBead(town, i, env));
  const t0 = performance.now();
  try {
    const daemon = JSON.parse(gt(town, ['daemon', 'start', '--json'], env).stdout) as { pid: number };
    const cpu0 = cpuSeconds(daemon.pid);
    gt(town, ['sling', ...ids, 'app'], env);
    const slungMs = performance.now() - t0;
    const db = new DatabaseSync(join(town, '.beads', 'beads.db'));
    db.exec('PRAGMA busy_timeout = 10000');
    const closed = (): number =>
      (
        db
          .prepare(
            `SELECT count(*) AS n FROM issues WHERE status = 'closed' AND id IN (${ids.map(() => '?').join(',')})`,
          )
          .get(...ids) as { n: number }
      ).n;
    const deadline = Date.now() + 15 * 60_000;
    while (closed() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const ms = performance.now() - t0;
    const landed = closed();
    db.close();
    const cpu = cpuSeconds(daemon.pid) - cpu0;
    console.log(
      `${n} sim polecats at once: slung in ${(slungMs / 1000).toFixed(1)} s, ${landed}/${n} landed in ${(ms / 1000).toFixed(1)} s; daemon CPU ${cpu.toFixed(1)} s = ${((100 * cpu * 1000) / ms).toFixed(1)} % of one core`,
    );
  } finally {
    spawnSync(process.execPath, [GT, 'daemon', 'stop'], { cwd: town, env: cleanEnv(env) });
    await createTmux({ socket: env.GT_TMUX_SOCKET }).killServer();
  }
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt work bench '));
  console.log(`work benchmark: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}; node ${process.version}`);
  try {
    // BENCH_ONLY=sling|mq|fifty runs one part.
    const only = process.env.BENCH_ONLY;
    if (!only || only === 'sling') await benchSling(base);
    // benchMergeQueue prints its own figures (serial and batch, gate runs counted).
    if (!only || only === 'mq')
      for (const gateSleep of [0, 1]) await benchMergeQueue({ requests: 16, bad: 1, gateSleep });
    if (!only || only === 'fifty') await benchFifty(base, Number(process.env.BENCH_POLECATS ?? 50));
  } finally {
    rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

await main();
