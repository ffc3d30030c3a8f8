// Running a rig's gates (setup, build, test) in a work tree: `sh -c` with the timeout enforced on everything it started.
import { isGtError } from '../kernel/index.ts';
import { run } from '../proc/index.ts';
import type { RigConfig } from '../town/index.ts';

export const GATE_NAMES = ['setup', 'build', 'test'] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** Gate output kept in failures and rework beads: the end of it, where the error usually is. */
export const OUTPUT_TAIL = 4000;

export type GateResult =
  | { ok: true; ran: GateName[]; ms: number }
  | {
      ok: false;
      gate: GateName;
      reason: 'failed' | 'timeout';
      exit: number | null;
      output: string;
      ran: GateName[];
      ms: number;
    };

export function tail(text: string, max = OUTPUT_TAIL): string {
  return text.length <= max ? text : `…(${text.length - max} characters cut)\n${text.slice(-max)}`;
}

/** Run the configured gates in order in `dir`; the first failure (or timeout) stops the run. No gates → ok. */
export async function runGates(dir: string, gates: RigConfig['gates'], env: NodeJS.ProcessEnv): Promise<GateResult> {
  const started = Date.now();
  const ran: GateName[] = [];
  for (const name of GATE_NAMES) {
    const g = gates[name];
    if (!g) continue;
    ran.push(name);
    try {
      const r = await run('sh', ['-c', g.command], {
        cwd: dir,
        env: { ...env, GT_GATE: name },
        timeoutMs: g.timeout_seconds * 1000,
        killGraceMs: 1000,
        stopEscaped: true,
      });
      if (r.status !== 0) {
        return {
          ok: false,
          gate: name,
          reason: 'failed',
          exit: r.status,
          output: tail(`${r.stdout}${r.stderr}`),
          ran,
          ms: Date.now() - started,
        };
      }
    } catch (e) {
      if (!isGtError(e) || e.code !== 'PROC_TIMEOUT') throw e;
      const output = `gate "${name}" (${g.command}) did not finish within ${g.timeout_seconds} s and was killed`;
      return { ok: false, gate: name, reason: 'timeout', exit: null, output, ran, ms: Date.now() - started };
    }
  }
  return { ok: true, ran, ms: Date.now() - started };
}
