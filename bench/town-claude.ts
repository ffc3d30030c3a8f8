// The Claude Code parts of the town benchmark: `gt mayor start` to the ready prompt in a brand-new town (trust
// dialog included) with the real CLI against the loopback model server, and nudge latency into its TUI.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTmux } from '../src/tmux/index.ts';
import { claudeTestEnv, prepareClaudeConfigDir } from '../testing/claude/index.ts';
import { startModelServer } from '../testing/model-server/index.ts';
import { benchTownNudge } from './town-nudge.ts';

const GT = resolve(import.meta.dirname, '../bin/gt.js');
const BIN_DIR = resolve(import.meta.dirname, '../node_modules/.bin');

function gt(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [GT, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) =>
      code === 0
        ? res({ ms: performance.now() - t0, stdout })
        : rej(new Error(`gt ${args.join(' ')} failed: ${stderr}`)),
    );
  });
}

export async function benchClaudeTown(base: string, runs = Number(process.env.BENCH_RUNS ?? 3)): Promise<void> {
  const server = await startModelServer({ reply: () => 'OK.' });
  const socket = `gt-bench-claude-${process.pid}`;
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX)/.test(k)) clean[k] = v;
  try {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const town = join(base, `claude town ${i}`);
      const env = {
        ...clean,
        ...claudeTestEnv(server.url),
        GT_TMUX_SOCKET: socket,
        PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
        CLAUDE_CONFIG_DIR: prepareClaudeConfigDir(join(base, `claude config ${i}`)),
      };
      await gt(base, ['install', town], env);
      const r = await gt(town, ['mayor', 'start', '--json'], env);
      times.push(r.ms);
      await gt(town, ['mayor', 'stop'], env);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `gt mayor start → ready (real Claude Code, new town, trust dialog answered)  median ${sorted[Math.floor(runs / 2)]!.toFixed(0)} ms, worst ${sorted.at(-1)!.toFixed(0)} ms (${runs} runs)`,
    );
  } finally {
    await createTmux({ socket }).killServer();
    await server.close();
  }
  const f = await benchTownNudge({ count: Number(process.env.BENCH_NUDGES ?? 50) });
  console.log(
    `nudge → model server (real Claude Code TUI), ${f.count} nudges: median ${f.medianMs} ms, worst ${f.worstMs} ms, lost ${f.lost} (target: median ≤ 500 ms, 0 lost)`,
  );
}
