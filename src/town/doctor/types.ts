// What a doctor check reports, and the repairs `--fix` may apply, as plain data.

export type CheckStatus = 'ok' | 'warn' | 'error';

/** A repair that is safe to apply unasked: it never deletes user work and never rewrites a config file. */
export type Repair =
  | { kind: 'mkdir'; path: string }
  | { kind: 'remove-lock'; path: string; pid: number }
  | { kind: 'prune-worktrees'; repo: string }
  | { kind: 'kill-session'; socket: string; session: string };

export interface DoctorCheck {
  /** Stable id, e.g. `tool.git`, `config.settings`, `layout.mayor`, `rig.app.refinery`, `locks`, `sessions`. */
  id: string;
  /** The state after this run (a repaired problem is `ok`). */
  status: CheckStatus;
  /** One line: what was found. */
  detail: string;
  /** What `--fix` would do (present while the problem remains and a safe repair exists). */
  fix?: string;
  /** What `--fix` did. */
  fixed?: string;
  /** A manual step for a problem doctor will not repair itself. */
  hint?: string;
}

/** A check as planned, before any repair: the repairs `--fix` would apply to make it ok. */
export interface PlannedCheck extends DoctorCheck {
  repairs?: Repair[];
}

export interface DoctorReport {
  /** The town root, or null when the working directory is in no town. */
  root: string | null;
  ok: boolean;
  errors: number;
  warnings: number;
  fixed: number;
  checks: DoctorCheck[];
}

export function summarize(root: string | null, checks: DoctorCheck[]): DoctorReport {
  const errors = checks.filter((c) => c.status === 'error').length;
  return {
    root,
    ok: errors === 0,
    errors,
    warnings: checks.filter((c) => c.status === 'warn').length,
    fixed: checks.filter((c) => c.fixed !== undefined).length,
    checks,
  };
}
