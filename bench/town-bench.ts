// Town benchmark: `gt rig add` of a 5,000-file repository, `gt agents --json` over 50 live sessions, and (with the
// real Claude Code CLI against the loopback model server) `gt mayor start` to the ready prompt and nudge latency.
// Run with `npm run bench:town` (builds first). Prints figures; asserts nothing. BENCH_SKIP_CLAUDE=1 skips the
// Claude Code parts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTmux } from '../src/tmux/index.ts';
import { loadTown } from '../src/town/index.ts';
import { identityOf, startAgent } from '../src/work/sessions/index.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const FAKE_TUI = resolve(import.meta.dirname, '../testing/fake-tui/fake-tui.js');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX)/.test(k)) out[k] = v;
  return { ...out, ...extra };
};

function gt(cwd: string, args: string[], extra: Record<string, string> = {}): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [GT, ...args], {
    cwd,
    env: env(extra),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function git(cwd: string, args: string[]): void {
  const r = spawnSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
}

function benchRigAdd(base: string, runs: number): void {
  const src = join(base, 'big repo');
  mkdirSync(src);
  git(src, ['init', '-q', '-b', 'main']);
  for (let d = 0; d < 50; d++) {
    mkdirSync(join(src, `pkg${d}`));
    for (let f = 0; f < 100; f++)
      writeFileSync(join(src, `pkg${d}`, `file${f}.ts`), `export const v${d}_${f} = ${d * 100 + f};\n`.repeat(20));
  }
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', '5000 files']);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const town = join(base, `rigtown${i}`);
    gt(base, ['install', town]);
    times.push(gt(town, ['rig', 'add', 'big', src]).ms);
  }
  console.log(
    `gt rig add (local repo, 5,000 files)          median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms (${runs} runs)`,
  );
}

async function benchAgents(base: string, sessions: number, runs: number): Promise<void> {
  const socket = `gt-bench-${process.pid}`;
  const root = join(base, 'agents town');
  gt(base, ['install', root]);
  const settings = {
    version: 1,
    default_agent: 'fake',
    agents: { fake: { command: process.execPath, args: [FAKE_TUI, '--log', '/dev/null'], ready_prompt: '^>(\\s|$)' } },
  };
  writeFileSync(join(root, 'settings', 'config.json'), JSON.stringify(settings));
  const src = join(base, 'small repo');
  mkdirSync(src);
  git(src, ['init', '-q', '-b', 'main']);
  writeFileSync(join(src, 'a.txt'), 'a\n');
  git(src, ['add', '-A']);
  git(src, ['commit', '-q', '-m', 'a']);
  gt(root, ['rig', 'add', 'app', src]);
  const town = loadTown(root, env({ GT_TMUX_SOCKET: socket }));
  try {
    const t0 = performance.now();
    for (let i = 0; i < sessions; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, sessions - i) }, async (_, j) => {
          const name = `p${i + j}`;
          mkdirSync(town.paths.polecat('app', name), { recursive: true });
          await startAgent(town, {
            identity: identityOf(town, { kind: 'polecat', rig: 'app', name }),
            agent: 'fake',
            prompt: '',
          });
        }),
      );
    }
    console.log(`started ${sessions} agent sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = gt(root, ['agents', '--json'], { GT_TMUX_SOCKET: socket });
      const n = (JSON.parse(r.stdout) as unknown[]).length;
      if (n !== sessions) throw new Error(`gt agents listed ${n} agents, expected ${sessions}`);
      times.push(r.ms);
    }
    const bare = median(Array.from({ length: runs }, () => timeBare()));
    console.log(
      `gt agents --json (${sessions} live sessions)          median ${median(times).toFixed(0)} ms, worst ${Math.max(...times).toFixed(0)} ms (bare node ${bare.toFixed(0)} ms)`,
    );
  } finally {
    await createTmux({ socket }).killServer();
  }
}

function timeBare(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'gt town bench '));
  console.log(`town benchmark: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}; node ${process.version}`);
  try {
    benchRigAdd(base, Number(process.env.BENCH_RUNS ?? 3));
    await benchAgents(base, Number(process.env.BENCH_SESSIONS ?? 50), Number(process.env.BENCH_RUNS ?? 5));
    if (process.env.BENCH_SKIP_CLAUDE !== '1') await (await import('./town-claude.ts')).benchClaudeTown(base);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

await main();
