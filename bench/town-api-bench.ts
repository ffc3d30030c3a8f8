// Town API benchmark: `gt hook --json` run by a polecat in the town against the same command from a workspace outside
// it (a client of `gt serve` over loopback HTTP), both through the built CLI; and `bd show --json` the same way.
// Run with `npm run bench:api` (builds first). Prints figures next to their targets; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTown, openTownStore } from '../src/town/index.ts';
import { insertPolecat } from '../src/work/polecats/index.ts';
import { updateBead } from '../src/beads/index.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BD = resolve(import.meta.dirname, '../bin/bd.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX|GIT_)/.test(k)) out[k] = v;
  return { ...out, GT_DAEMON: 'off', ...extra };
};

function run(
  bin: string,
  cwd: string,
  args: string[],
  extra: Record<string, string> = {},
): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: env(extra), encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Alternate local and remote runs so both see the same machine load; returns the medians. */
function compare(label: string, local: () => number, remote: () => number, target: number): void {
  const l: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    l.push(local());
    r.push(remote());
  }
  const ratio = median(r) / median(l);
  console.log(
    `${label.padEnd(34)} local median ${median(l).toFixed(0)} ms, remote median ${median(r).toFixed(0)} ms: ${ratio.toFixed(2)}× (target ≤ ${target}×) ${ratio <= target ? 'ok' : 'MISSED'}`,
  );
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt api bench '));
  const town = join(base, 'town');
  let server: ReturnType<typeof spawn> | undefined;
  try {
    run(GT, base, ['install', town]);
    const src = join(base, 'src');
    mkdirSync(src);
    git(src, ['init', '-q', '-b', 'main']);
    git(src, ['commit', '-q', '--allow-empty', '-m', 'first']);
    run(GT, town, ['rig', 'add', 'app', src]);
    // 21 beads, one hooked to polecat nux (its branch in the bare repo, as a remote polecat has it).
    for (let i = 0; i < 20; i++) run(BD, town, ['create', `filler ${i}`, '--silent']);
    const id = run(BD, town, ['create', 'Hooked work', '--silent']).stdout.trim();
    const repo = join(town, 'app', '.repo.git');
    git(repo, ['branch', `polecat/nux/${id}`, 'main']);
    const s = openTownStore(loadTown(town, env()));
    try {
      insertPolecat(s, {
        rig: 'app',
        name: 'nux',
        worktree: join(town, 'app', 'polecats', 'nux'),
        state: 'working',
        bead: id,
        branch: `polecat/nux/${id}`,
        hook_state: 'active',
      });
      updateBead(s, id, { status: 'hooked', assignee: 'app/nux' });
    } finally {
      s.close();
    }
    const tokenFile = (JSON.parse(run(GT, town, ['token', 'issue', 'app/nux', '--json']).stdout) as { file: string })
      .file;
    server = spawn(process.execPath, [GT, 'serve', '--port', '0', '--json'], {
      cwd: town,
      env: env(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) res((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
      });
      server!.on('close', () => rej(new Error('gt serve exited')));
    });
    const away = join(base, 'away');
    mkdirSync(away);
    const localEnv = { GT_ADDRESS: 'app/nux', GT_ROLE: 'polecat', GT_RIG: 'app', GT_NAME: 'nux', BD_ACTOR: 'app/nux' };
    const remote = { GT_TOWN_URL: url, GT_TOWN_TOKEN: readFileSync(tokenFile, 'utf8').trim() };
    // Same answer both ways, or the figures mean nothing.
    if (run(GT, town, ['hook', '--json'], localEnv).stdout !== run(GT, away, ['hook', '--json'], remote).stdout)
      throw new Error('remote gt hook --json differs from local');
    console.log(`Town API over loopback (${RUNS} runs each, built CLI, alternating):`);
    compare(
      'gt hook --json',
      () => run(GT, town, ['hook', '--json'], localEnv).ms,
      () => run(GT, away, ['hook', '--json'], remote).ms,
      1.5,
    );
    compare(
      `bd show ${id} --json`,
      () => run(BD, town, ['show', id, '--json'], localEnv).ms,
      () => run(BD, away, ['show', id, '--json'], remote).ms,
      1.5,
    );
  } finally {
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((res) => server!.on('close', res));
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
