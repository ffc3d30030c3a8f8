// What the host benchmarks share (bench/hosts-bench.ts, bench/k8s.ts): an environment without the caller's Gas Town
// variables, the built gt with its wall time, a town whose polecats are sim agents with room for a fleet, a rig `app`
// from a one-commit source repository, sim beads, and the count of beads landed on main and merged exactly once.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TOWN_EVENTS } from '../../src/kernel/index.ts';
import { countTownEvents } from '../../src/town/index.ts';
import { withTown } from '../../test/support/gt.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const GT = join(ROOT, 'bin', 'gt.js');

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** This process's environment without GT_/BD_/TMUX/GIT_ variables (a bench run from inside an agent), plus `extra`. */
export function benchEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|TMUX|GIT_)/.test(k)) out[k] = v;
  return { ...out, ...extra };
}

export interface GtRun {
  ms: number;
  stdout: string;
  stderr: string;
  status: number;
}
export type GtRunner = (cwd: string, args: string[], ok?: boolean) => GtRun;

/** The built gt with `env`; throws on a non-zero exit unless `ok` is false. */
export function gtRunner(env: NodeJS.ProcessEnv): GtRunner {
  return (cwd, args, ok = true) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [GT, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    if (ok && r.status !== 0) throw new Error(`gt ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return { ms, stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
  };
}

export interface SimTown {
  town: string;
  gt: GtRunner;
  /** A bead of rig `app` whose sim script is `script` (lines); its id. */
  bead(title: string, script: string): string;
  /** Whether `path` is on the rig's main branch in the town. */
  onMain(path: string): boolean;
  /** How many of `ids` the refinery merged exactly once (refinery.merged events per bead). */
  mergedOnce(ids: readonly string[]): number;
  /** Wait until every path is on main (or `timeoutMs`); how many are. */
  waitOnMain(paths: readonly string[], timeoutMs: number): Promise<number>;
}

/**
 * A town at `<base>/town` whose polecats are sim agents, with the town's caps at `polecats` (per rig and per town),
 * and the rig `app` made from a one-commit repository at `<base>/src`.
 */
export function simTown(base: string, o: { gt: GtRunner; polecats: number }): SimTown {
  const { gt } = o;
  const town = join(base, 'town');
  gt(base, ['install', town]);
  const settingsPath = join(town, 'settings', 'config.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    settingsPath,
    JSON.stringify(
      {
        ...settings,
        role_agents: { polecat: 'sim' },
        caps: { polecats_per_rig: o.polecats, polecats_per_town: o.polecats },
      },
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
  const repo = join(town, 'app', '.repo.git');
  const onMain = (path: string): boolean =>
    spawnSync('git', ['-C', repo, 'cat-file', '-e', `main:${path}`]).status === 0;
  return {
    town,
    gt,
    bead: (title, script) =>
      (
        JSON.parse(
          gt(town, ['bd', 'create', title, '--rig', 'app', '-d', `\`\`\`sim\n${script}\n\`\`\`\n`, '--json']).stdout,
        ) as { id: string }
      ).id,
    onMain,
    mergedOnce: (ids) =>
      withTown(
        town,
        (st) =>
          ids.filter((id) => countTownEvents(st, { kind: TOWN_EVENTS.refinery.merged, subject: id }) === 1).length,
      ),
    waitOnMain: async (paths, timeoutMs) => {
      const t0 = Date.now();
      for (;;) {
        const landed = paths.filter(onMain).length;
        if (landed === paths.length || Date.now() - t0 > timeoutMs) return landed;
        await sleep(1000);
      }
    },
  };
}
