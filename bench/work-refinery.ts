// Merge-queue throughput with a trivial gate: serial (one request per gate run) versus batch mode with one bad
// request in 16 (batch-then-bisect), gate runs counted. Prints figures; asserts nothing.
// Run alone with `node bench/work-refinery.ts`, or call benchMergeQueue() from another bench script.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBead } from '../src/beads/index.ts';
import { enqueueMergeRequest, processQueue } from '../src/refinery/index.ts';
import { loadTown, openTownStore, type TownContext } from '../src/town/index.ts';

const GT = resolve(import.meta.dirname, '../src/cli/gt/run.ts');

export interface MergeQueueFigures {
  requests: number;
  serial: { ms: number; gate_runs: number; merged: number; per_request_ms: number };
  batch: { ms: number; gate_runs: number; merged: number; culprits: number; per_request_ms: number };
}

function cleanEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GT_|BD_|BEADS_|TMUX|GIT_)/.test(k)) out[k] = v;
  return { ...out, BD_ACTOR: 'bench' };
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A town with one rig whose test gate fails when a file holds BAD; `count` queued requests, one per new file. */
function setup(
  base: string,
  name: string,
  count: number,
  bad: ReadonlySet<number>,
  batch: number,
  gateSleep: number,
): TownContext {
  const dir = join(base, name);
  const src = join(base, `${name} src`);
  mkdirSync(src);
  run('git', ['init', '-q', '-b', 'main'], src);
  writeFileSync(join(src, 'README'), 'bench\n');
  run('git', ['add', '-A'], src);
  run('git', ['-c', 'user.name=B', '-c', 'user.email=b@x', 'commit', '-q', '-m', 'first'], src);
  run(process.execPath, [GT, 'install', dir], base);
  run(process.execPath, [GT, 'rig', 'add', 'app', src], dir);
  const rigJson = join(dir, 'app', 'rig.json');
  const cfg = JSON.parse(readFileSync(rigJson, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    rigJson,
    JSON.stringify({
      ...cfg,
      gates: {
        test: {
          command: `${gateSleep > 0 ? `sleep ${gateSleep}; ` : ''}! grep -rqs BAD --include=f*.txt .`,
          timeout_seconds: 60,
        },
      },
      merge_queue: { batch },
    }),
  );
  const town = loadTown(dir, cleanEnv());
  const repo = town.paths.repo('app');
  const scratch = join(base, `${name} scratch`);
  run('git', ['worktree', 'add', '-q', '--detach', scratch, 'main'], repo);
  const store = openTownStore(town);
  try {
    for (let i = 0; i < count; i++) {
      const bead = createBead(store, { title: `change ${i}` }).id;
      const branch = `polecat/p${i}/${bead}`;
      run('git', ['checkout', '-q', '-B', branch, 'main'], scratch);
      writeFileSync(join(scratch, `f${i}.txt`), bad.has(i) ? 'BAD\n' : `good ${i}\n`);
      run('git', ['add', '-A'], scratch);
      run('git', ['-c', 'user.name=B', '-c', 'user.email=b@x', 'commit', '-q', '-m', `change ${i}`], scratch);
      enqueueMergeRequest(store, { rig: 'app', bead, branch, head: run('git', ['rev-parse', 'HEAD'], scratch).trim() });
    }
    run('git', ['checkout', '-q', '--detach'], scratch);
  } finally {
    store.close();
  }
  return town;
}

/**
 * Serial and batch runs of the same 16-request queue (one bad request, index 11); prints and returns the figures.
 * `gateSleep` makes the gate take that many seconds (0: trivial), to show where batching pays.
 */
export async function benchMergeQueue(
  opts: { requests?: number; bad?: number; gateSleep?: number } = {},
): Promise<MergeQueueFigures> {
  const requests = opts.requests ?? 16;
  const gateSleep = opts.gateSleep ?? 0;
  const bad = new Set([opts.bad ?? Math.min(11, requests - 1)]);
  const base = mkdtempSync(join(tmpdir(), 'gt bench mq '));
  try {
    const serialTown = setup(base, 'serial', requests, bad, 1, gateSleep);
    const s = await processQueue(serialTown, 'app', { sling: false });
    const batchTown = setup(base, 'batch', requests, bad, requests, gateSleep);
    const b = await processQueue(batchTown, 'app', { sling: false });
    const merged = (r: typeof s): number => r.outcomes.filter((o) => o.status === 'merged').length;
    const figures: MergeQueueFigures = {
      requests,
      serial: { ms: s.ms, gate_runs: s.gate_runs, merged: merged(s), per_request_ms: Math.round(s.ms / requests) },
      batch: {
        ms: b.ms,
        gate_runs: b.gate_runs,
        merged: merged(b),
        culprits: b.outcomes.filter((o) => o.status === 'gate-failed').length,
        per_request_ms: Math.round(b.ms / requests),
      },
    };
    console.log(
      `merge queue, ${requests} requests (1 bad), ${gateSleep > 0 ? `gate taking ${gateSleep} s` : 'trivial gate'}:`,
    );
    console.log(
      `  serial   ${String(figures.serial.ms).padStart(6)} ms  ${figures.serial.gate_runs} gate runs  ${figures.serial.merged} merged  (${figures.serial.per_request_ms} ms/request)`,
    );
    console.log(
      `  batch    ${String(figures.batch.ms).padStart(6)} ms  ${figures.batch.gate_runs} gate runs  ${figures.batch.merged} merged, ${figures.batch.culprits} culprit  (${figures.batch.per_request_ms} ms/request)`,
    );
    return figures;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await benchMergeQueue();
  await benchMergeQueue({ gateSleep: 1 });
}
