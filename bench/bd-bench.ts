// bd benchmark: a 20,000-bead store with a realistic graph, then CLI timings against bare Node start-up.
// Run with `npm run bench:bd` (builds first). Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Store, initStore, insertBead, insertComment, readyBeads, type CreateInput } from '../src/beads/index.ts';

const N = Number(process.env.BENCH_BEADS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BIN = resolve(import.meta.dirname, '../bin/bd.js');
/** Each CLI call against bare `node -e 0`: writes (ledger kept in step) and reads. */
const TARGET = { write: 1.5, read: 1.3 } as const;
const loadStart = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Epics with children, chains of blocks edges (~30% of work blocked), labels, comments. */
function buildStore(dir: string): { ids: string[]; seconds: number } {
  const t0 = performance.now();
  initStore(dir, { prefix: 'bench' });
  const store = Store.open({ dir: join(dir, '.beads'), root: dir, kind: 'standalone' }, { actor: 'bench' });
  const r = rng(42);
  const ids: string[] = [];
  const labels = ['backend', 'frontend', 'db', 'infra', 'docs', 'security', 'perf', 'ux'];
  const types = ['task', 'bug', 'feature', 'chore'] as const;
  const desc =
    'As a user I want this to work reliably. Steps: open the page, click the button, observe the result. '.repeat(2);
  const batch = 1000;
  let lastEpic: string | undefined;
  for (let start = 0; start < N; start += batch) {
    store.write(() => {
      for (let i = start; i < Math.min(N, start + batch); i++) {
        const input: CreateInput = {
          title: `Work item ${i}: improve ${labels[i % labels.length]} handling`,
          description: desc,
          priority: Math.floor(r() * 5),
          type: i % 50 === 0 ? 'epic' : types[Math.floor(r() * types.length)]!,
          labels: [
            labels[Math.floor(r() * labels.length)]!,
            ...(r() < 0.3 ? [labels[Math.floor(r() * labels.length)]!] : []),
          ],
        };
        if (i % 50 !== 0 && lastEpic && r() < 0.4) input.parent = lastEpic;
        const target = ids[ids.length - 1 - Math.floor(r() * 10)];
        if (ids.length > 10 && target !== lastEpic && r() < 0.3) input.deps = [{ type: 'blocks', id: target! }];
        const b = insertBead(store, input);
        ids.push(b.id);
        if (i % 50 === 0) lastEpic = b.id;
        if (r() < 0.2) insertComment(store, b.id, `Looked into this; see commit ${i.toString(16)}.`);
        if (r() < 0.25) store.db.run("UPDATE issues SET status = 'closed', closed_at = updated_at WHERE id = ?", b.id);
      }
    });
  }
  store.close();
  return { ids, seconds: (performance.now() - t0) / 1000 };
}

const CPU_HOOK = pathToFileURL(resolve(import.meta.dirname, 'cpu-usage.js')).href;

/** Wall time of one node process, and the CPU time it reported through the preloaded hook. */
function time(args: string[], cwd: string): { wall: number; cpu: number } {
  const cpuFile = join(base, 'cpu.txt');
  writeFileSync(cpuFile, '');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], {
    cwd,
    env: { ...process.env, BD_ACTOR: 'bench', BENCH_CPU_FILE: cpuFile },
    encoding: 'utf8',
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8').trim()) };
}

const base = mkdtempSync(join(tmpdir(), 'bd bench '));
const dir = join(base, 'repo');
mkdirSync(dir);
try {
  console.log(
    `bd benchmark: ${N} beads, ${RUNS} runs each; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; node ${process.version}`,
  );
  const built = buildStore(dir);
  console.log(`built store in ${built.seconds.toFixed(1)} s`);

  const store = Store.open({ dir: join(dir, '.beads'), root: dir, kind: 'standalone' });
  const readyIds = readyBeads(store, { limit: 0, unassigned: true }).beads.map((b) => b.id);
  const blocked = store.db.get<{ n: number }>('SELECT count(*) AS n FROM issues WHERE is_blocked = 1')?.n ?? 0;
  const open = store.db.get<{ n: number }>("SELECT count(*) AS n FROM issues WHERE status != 'closed'")?.n ?? 0;
  console.log(
    `graph: ${open} open, ${blocked} blocked by dependencies (${((100 * blocked) / open).toFixed(0)}% of open), ${readyIds.length} ready`,
  );
  const q: number[] = [];
  const qAll: number[] = [];
  for (let i = 0; i < 50; i++) {
    let t0 = performance.now();
    readyBeads(store, { limit: 100 });
    q.push(performance.now() - t0);
    t0 = performance.now();
    readyBeads(store, { limit: 0 });
    qAll.push(performance.now() - t0);
  }
  store.close();

  const showId = built.ids[Math.floor(built.ids.length / 2)]!;
  const readyAt = (i: number): string => readyIds[i]!;
  const other = (i: number): string => readyIds[readyIds.length - 1 - i]!;
  const cases: [string, 'read' | 'write', (i: number) => string[]][] = [
    ['bd ready --json', 'read', () => ['ready', '--json']],
    ['bd list --status open --limit 50 --json', 'read', () => ['list', '--status', 'open', '--limit', '50', '--json']],
    ['bd show <id> --json', 'read', () => ['show', showId, '--json']],
    ['bd create', 'write', (i) => ['create', `Bench create ${i}`, '-p', '2']],
    ['bd update --claim', 'write', (i) => ['update', readyAt(i), '--claim']],
    ['bd close', 'write', (i) => ['close', readyAt(RUNS + i), '--reason', 'bench']],
    ['bd dep add', 'write', (i) => ['dep', 'add', other(i), other(RUNS + i)]],
    ['bd label add', 'write', (i) => ['label', 'add', 'bench', other(2 * RUNS + i)]],
    ['bd comments add', 'write', (i) => ['comments', 'add', other(3 * RUNS + i), 'a bench comment']],
  ];
  const nodeTimes: number[] = [];
  const nodeCpu: number[] = [];
  const rows: {
    name: string;
    kind: 'read' | 'write';
    median: number;
    ratio: number;
    target: number;
    cpu: number;
    cpuRatio: number;
  }[] = [];
  time([BIN, 'list', '-n', '1'], dir); // warm the compile cache
  for (const [name, kind, args] of cases) {
    const ts: number[] = [];
    const cs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const n = time(['-e', '0'], dir);
      nodeTimes.push(n.wall);
      nodeCpu.push(n.cpu);
      const b = time([BIN, ...args(i)], dir);
      ts.push(b.wall);
      cs.push(b.cpu);
    }
    rows.push({ name, kind, median: median(ts), ratio: 0, target: TARGET[kind], cpu: median(cs), cpuRatio: 0 });
  }
  const nodeMedian = median(nodeTimes);
  const nodeCpuMedian = median(nodeCpu);
  for (const r of rows) {
    r.ratio = r.median / nodeMedian;
    r.cpuRatio = r.cpu / nodeCpuMedian;
  }

  const fresh = join(base, 'fresh');
  mkdirSync(join(fresh, '.beads'), { recursive: true });
  copyFileSync(join(dir, '.beads', 'issues.jsonl'), join(fresh, '.beads', 'issues.jsonl'));
  copyFileSync(join(dir, '.beads', 'config.toml'), join(fresh, '.beads', 'config.toml'));
  const lines = readFileSync(join(fresh, '.beads', 'issues.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean).length;
  const t0 = performance.now();
  Store.open({ dir: join(fresh, '.beads'), root: fresh, kind: 'standalone' }).close();
  const importMs = performance.now() - t0;

  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `\nbare node -e 0 (measured between every run): median ${nodeMedian.toFixed(1)} ms wall, ${nodeCpuMedian.toFixed(1)} ms CPU; load average ${loadStart} at the start, ${load} now${cpus().length * 0.5 < loadavg()[0]! ? ' (a loaded machine: ratios are noisy)' : ''}`,
  );
  for (const r of rows) {
    const ok = r.ratio <= r.target ? 'ok  ' : 'OVER';
    console.log(
      `${r.kind.padEnd(5)} ${r.name.padEnd(42)} ${r.median.toFixed(1).padStart(7)} ms   ${r.ratio.toFixed(2)}× node   target ≤ ${r.target}×  ${ok}   CPU ${r.cpu.toFixed(1).padStart(6)} ms  ${r.cpuRatio.toFixed(2)}× node's`,
    );
  }
  console.log(`ready query in-process (limit 100)          ${median(q).toFixed(2).padStart(7)} ms   (target ≤ 10 ms)`);
  console.log(`ready query in-process (all ${readyIds.length})        ${median(qAll).toFixed(2).padStart(7)} ms`);
  console.log(`import of a ${lines}-line ledger            ${importMs.toFixed(0).padStart(7)} ms   (target ≤ 2000 ms)`);
  mkdirSync(resolve(import.meta.dirname, 'out'), { recursive: true });
  writeFileSync(
    resolve(import.meta.dirname, 'out/bd-bench.json'),
    JSON.stringify(
      { beads: N, nodeMedian, nodeCpuMedian, rows, readyQueryMs: median(q), readyAllMs: median(qAll), importMs, lines },
      null,
      2,
    ),
  );
} finally {
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(base, { recursive: true, force: true });
}
