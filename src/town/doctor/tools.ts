// Tool versions: git (worktrees), tmux (sessions) and Node, each against the minimum this project needs.
import { runSync } from '../../proc/index.ts';
import type { PlannedCheck } from './types.ts';

export interface ToolRequirement {
  name: 'git' | 'tmux' | 'node';
  min: string;
  why: string;
}

export const TOOL_REQUIREMENTS: readonly ToolRequirement[] = [
  { name: 'git', min: '2.25', why: 'worktrees for polecats and the refinery' },
  { name: 'tmux', min: '3.0', why: 'agent sessions' },
  { name: 'node', min: '22.13', why: 'gt itself' },
];

/** Compare dotted versions numerically ("3.3a" counts as 3.3); true when `have` ≥ `min`. */
export function versionAtLeast(have: string, min: string): boolean {
  const nums = (v: string): number[] => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [a, b] = [nums(have), nums(min)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/** The check for one tool given its version (undefined: not found on PATH). */
export function toolCheck(req: ToolRequirement, version: string | undefined): PlannedCheck {
  const id = `tool.${req.name}`;
  if (version === undefined) {
    return {
      id,
      status: 'error',
      detail: `${req.name} is not on PATH (needed for ${req.why})`,
      hint: `install ${req.name} ${req.min} or newer and make sure it is on PATH`,
    };
  }
  if (!versionAtLeast(version, req.min)) {
    return {
      id,
      status: 'error',
      detail: `${req.name} ${version} is older than ${req.min} (needed for ${req.why})`,
      hint: `upgrade ${req.name} to ${req.min} or newer`,
    };
  }
  return { id, status: 'ok', detail: `${req.name} ${version}` };
}

/** The version a tool prints, or undefined when it is not on the PATH of `env`. */
export function probeVersion(name: ToolRequirement['name'], env: NodeJS.ProcessEnv): string | undefined {
  if (name === 'node') return process.versions.node;
  try {
    const r = runSync(name, [name === 'git' ? '--version' : '-V'], { env, timeoutMs: 10_000 });
    const m = /(\d+\.\d+(?:\.\d+)?[a-z]?)/.exec(r.stdout);
    return r.status === 0 && m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

export function toolChecks(env: NodeJS.ProcessEnv): PlannedCheck[] {
  return TOOL_REQUIREMENTS.map((req) => toolCheck(req, probeVersion(req.name, env)));
}
