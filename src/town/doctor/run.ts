// `gt doctor`: gather every check for the town around cwd, apply the safe repairs with `fix`, and report.
import { existsSync } from 'node:fs';
import { findTownRoot } from '../context.ts';
import { townSocket } from '../addresses.ts';
import { townPaths } from '../layout.ts';
import { isGtError, messageOf } from '../../kernel/index.ts';
import { applyRepair } from './repair.ts';
import { lockChecks } from './locks.ts';
import { runtimeChecks } from './runtimes.ts';
import { sessionChecks } from './sessions.ts';
import { storeChecks } from './store.ts';
import { toolChecks } from './tools.ts';
import { checkTownFiles, expectedDirs, layoutChecks } from './town-files.ts';
import { summarize, type DoctorCheck, type DoctorReport, type PlannedCheck } from './types.ts';
import { worktreeChecks } from './worktrees.ts';
import { hostChecks } from './hosts.ts';

export interface DoctorOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  fix: boolean;
}

/** Every check of the town around `cwd` (tool checks only, plus a `town` error, outside a town). */
export async function planChecks(o: DoctorOptions): Promise<{ root: string | null; checks: PlannedCheck[] }> {
  const tools = toolChecks(o.env);
  let root: string | undefined;
  try {
    root = findTownRoot(o.cwd, o.env);
  } catch (e) {
    return {
      root: null,
      checks: [
        ...tools,
        { id: 'town', status: 'error', detail: messageOf(e), ...(isGtError(e) && e.hint ? { hint: e.hint } : {}) },
      ],
    };
  }
  if (!root) {
    return {
      root: null,
      checks: [
        ...tools,
        {
          id: 'town',
          status: 'error',
          detail: `no town found in ${o.cwd} or any parent directory`,
          hint: 'cd into your town (the directory holding town.json), set GT_ROOT, or create one with gt install <path>',
        },
      ],
    };
  }
  const p = townPaths(root);
  const has = (tool: string): boolean => tools.some((t) => t.id === `tool.${tool}` && t.status === 'ok');
  const files = checkTownFiles(p);
  const rigs = files.rigs.map((r) => ({ name: r.name, prefix: r.config?.prefix }));
  const checks: PlannedCheck[] = [
    ...tools,
    ...(files.settings
      ? runtimeChecks(
          files.settings,
          files.rigs.flatMap((r) => (r.config ? [r.config] : [])),
          o.env,
        )
      : [
          {
            id: 'agents',
            status: 'warn' as const,
            detail: 'agent CLIs not checked: settings/config.json is invalid (see config.settings)',
          },
        ]),
    ...files.checks,
    ...layoutChecks(root, expectedDirs(p, files.rigs), existsSync),
    ...storeChecks(p, o.env, o.fix),
    ...lockChecks(p.runtime),
    ...(has('tmux') ? await sessionChecks(p, townSocket({ root, env: o.env }), rigs, o.env) : []),
    ...(has('git')
      ? worktreeChecks(
          p,
          files.rigs.map((r) => r.name),
        )
      : []),
    ...(await hostChecks(
      p,
      files.settings,
      files.rigs.flatMap((r) => (r.config ? [r.config] : [])),
    )),
  ];
  return { root, checks };
}

/** Run the checks; with `fix`, apply each planned repair and mark the check repaired (or say what failed). */
export async function runTownDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const { root, checks } = await planChecks(o);
  const out: DoctorCheck[] = [];
  for (const { repairs, ...c } of checks) {
    if (!o.fix || !repairs?.length) {
      out.push(c);
      continue;
    }
    const done: string[] = [];
    let failed: string | undefined;
    for (const r of repairs) {
      try {
        done.push(await applyRepair(r, o.env));
      } catch (e) {
        failed = messageOf(e);
        break;
      }
    }
    const { fix: _fix, ...rest } = c;
    out.push(
      failed === undefined
        ? { ...rest, status: c.hint ? c.status : 'ok', fixed: done.join('; ') }
        : { ...c, ...(done.length ? { fixed: done.join('; ') } : {}), detail: `${c.detail}; repair failed: ${failed}` },
    );
  }
  return summarize(root, out);
}
