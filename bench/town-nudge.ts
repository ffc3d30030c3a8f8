// Nudge delivery latency into the real Claude Code TUI (pinned dev dependency) in real tmux, against the loopback
// model server: from calling nudge() on an idle agent to the model server receiving the prompt as its own turn. Prints figures;
// asserts nothing. Run with `node bench/town-nudge.ts [count]`; `benchTownNudge` is the reusable part.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinPreset, nudge, passStartupDialogs, waitForIdle, writeClaudeSettings } from '../src/agents/index.ts';
import { createTmux } from '../src/tmux/index.ts';
import { prepareClaudeConfigDir, startClaude } from '../testing/claude/index.ts';
import { startModelServer, userTurns } from '../testing/model-server/index.ts';

export interface TownNudgeFigures {
  count: number;
  /** Milliseconds from nudge() to the model server receiving the prompt, per delivered nudge, in send order. */
  latenciesMs: number[];
  medianMs: number;
  worstMs: number;
  /** Nudges the model server never saw as a turn of their own. */
  lost: number;
  startupMs: number;
}

export async function benchTownNudge(opts: { count?: number } = {}): Promise<TownNudgeFigures> {
  const count = opts.count ?? 50;
  const base = mkdtempSync(join(tmpdir(), 'gt bench nudge '));
  const server = await startModelServer({ reply: () => 'Noted.' });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(GT_|BD_|BEADS_|TMUX)/.test(k)) env[k] = v;
  const tmux = createTmux({ socket: `gt-bench-${process.pid}`, env: { ...env, TMUX_TMPDIR: base } });
  try {
    const cwd = join(base, 'project');
    mkdirSync(cwd);
    const configDir = prepareClaudeConfigDir(join(base, 'config'));
    const settingsPath = writeClaudeSettings(join(base, 'town'), { gtCommand: ['true'] });
    const startedAt = await startClaude(tmux, { session: 'agent', cwd, modelUrl: server.url, configDir, settingsPath });
    const preset = builtinPreset('claude')!;
    const up = await passStartupDialogs(tmux, 'agent', preset, { timeoutMs: 60_000, startedAt });
    if (!up.ready) throw new Error(`Claude Code did not start: ${JSON.stringify(up)}`);

    const signals = { prompt: preset.ready.prompt, busy: preset.busy };
    const latenciesMs: number[] = [];
    let lost = 0;
    for (let i = 0; i < count; i++) {
      const message = `bench nudge ${i} of ${count}: "quoted"; $HOME & done-${i}`;
      // Each nudge goes to an idle agent: the previous turn's own time is not the nudge's latency.
      await waitForIdle(tmux, 'agent', signals, { idleTimeoutMs: 30_000 });
      const sentAt = Date.now();
      const r = await nudge(tmux, { runtimeDir: join(base, '.runtime') }, { session: 'agent', message, signals });
      const turn =
        r.status === 'delivered'
          ? await arrival(
              () => userTurns(server.requests).find((t) => t.prompts.length === 1 && t.prompts[0] === message),
              10_000,
            )
          : undefined;
      if (turn) latenciesMs.push(turn.at - sentAt);
      else lost++;
    }
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    return {
      count,
      latenciesMs,
      medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN,
      worstMs: sorted.at(-1) ?? NaN,
      lost,
      startupMs: up.elapsedMs,
    };
  } finally {
    await tmux.killServer();
    await server.close();
    rmSync(base, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

async function arrival<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const f = await benchTownNudge({ count: Number(process.argv[2] ?? 50) });
  console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`Claude Code start-up to ready prompt (dialogs answered): ${f.startupMs} ms`);
  console.log(
    `nudge → model server, ${f.count} nudges: median ${f.medianMs} ms, worst ${f.worstMs} ms, lost ${f.lost} (target: median ≤ 500 ms, 0 lost)`,
  );
}
