// `gt demo`: a whole town on the embedded example with sim agents: a sample project as a rig, six beads with
// dependencies in one convoy, the daemon feeding them to polecats and landing them; it ends when main holds all six.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBeads } from '../beads/index.ts';
import { commitAll, initRepo, listCommits, readFileAt, revParse } from '../git/index.ts';
import { GtError } from '../kernel/index.ts';
import {
  addRig,
  installTown,
  loadRig,
  loadTown,
  openTownStore,
  parseAddress,
  saveRig,
  saveSettings,
  townTmux,
  type TownContext,
} from '../town/index.ts';
import { identityOf, listAgentRecords, stopAgent, withStore } from '../work/sessions/index.ts';
import { createConvoy, showConvoy, type ConvoyStatus } from '../work/convoy/index.ts';
import { startDaemon, stopDaemon } from '../daemon/index.ts';
import { readRefineryState } from '../refinery/index.ts';
import { DEMO_BEADS, DEMO_EXPECTED_FILES, SAMPLE_FILES, SAMPLE_TEST_GATE } from './sample.ts';

export interface DemoOptions {
  /** Where to build it (created; must be empty if it exists); default a new temporary directory. */
  dir?: string;
  /** Leave the town on disk (agents and daemon are stopped either way). */
  keep?: boolean;
  timeoutMs?: number;
  env: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
  /** Aborted (Ctrl-C, a closed pipe): the demo stops watching, stops what it started and removes its town. */
  signal?: AbortSignal;
}

export interface DemoReport {
  dir: string;
  town: string;
  rig: string;
  convoy: string;
  landed: boolean;
  beads: { id: string; title: string; state: string; worker: string | null }[];
  /** Subjects of the commits on main, newest first. */
  main_log: string[];
  missing_files: string[];
  /** The sample project the rig came from: where the landed work was delivered (its branch, or gt/<branch>). */
  project: string;
  delivered: { ref: string; commit: string; note?: string } | null;
  elapsed_ms: number;
  kept: boolean;
}

const RIG = 'greeter';
const WHO = { name: 'Gas Town demo', email: 'demo@gastown.local' };

export async function runDemo(opts: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const say = opts.onProgress ?? (() => {});
  const dir = prepareDir(opts.dir);
  const project = join(dir, 'greeter-src');
  let town: TownContext | undefined;
  try {
    makeSampleProject(project);
    installTown(join(dir, 'town'), { name: 'demo' });
    town = configureTown(join(dir, 'town'), opts.env);
    addRig(town, { name: RIG, source: project, cwd: dir });
    const rig = loadRig(town, RIG);
    saveRig(town, { ...rig, gates: { test: { command: SAMPLE_TEST_GATE, timeout_seconds: 60 } } });
    say(`Town ${town.root}, rig "${RIG}" (a tiny project with a test gate), sim agents: no model, no API key`);

    const ids = createDemoBeads(town, rig.prefix);
    const convoy = createConvoy(town, { name: 'Greeter 0.1', beads: [...ids.values()], owner: 'overseer' });
    say(`Convoy ${convoy.id} "Greeter 0.1" tracks ${ids.size} beads; some wait for others`);

    await startDaemon(town);
    say('Daemon started: it slings ready beads to polecats, merges their work and feeds the rest');
    const final = await watchConvoy(town, convoy.id, say, opts.timeoutMs ?? 120_000, opts.signal);

    const delivered = await awaitDelivery(town, rig.default_branch);
    // What the user sees is the sample project itself: the refinery delivered the work there (the rig's copy else).
    const where = delivered ? project : loadTownRepo(town);
    const ref = delivered?.ref ?? rig.default_branch;
    const mainLog = listCommits(where, [ref], Infinity).commits.map((c) => c.subject);
    const missing = DEMO_EXPECTED_FILES.filter((f) => readFileAt(where, ref, f) === undefined);
    if (delivered)
      say(`Delivered: ${project} has the work on ${delivered.ref}${delivered.note ? ` (${delivered.note})` : ''}`);
    return {
      dir,
      town: town.root,
      rig: RIG,
      convoy: convoy.id,
      landed: final.complete && missing.length === 0,
      project,
      delivered,
      beads: final.tracked.map((t) => ({ id: t.id, title: t.title, state: t.state, worker: t.worker })),
      main_log: mainLog,
      missing_files: missing,
      elapsed_ms: Date.now() - started,
      kept: opts.keep === true,
    };
  } finally {
    if (town) await shutDown(town);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

function prepareDir(asked: string | undefined): string {
  if (asked === undefined) return mkdtempSync(join(tmpdir(), 'gt-demo-'));
  const dir = resolve(asked);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new GtError('GT_DEMO_DIR_NOT_EMPTY', `${dir} is not empty`, {
      kind: 'usage',
      hint: 'give --dir a new or empty directory, or leave it out to use a temporary one',
    });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function makeSampleProject(dir: string): void {
  mkdirSync(dir, { recursive: true });
  initRepo(dir, 'main');
  for (const [path, text] of Object.entries(SAMPLE_FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  commitAll(dir, 'greeter: an empty library', WHO);
}

/** Sim agents for polecats, and a quick daemon tick so the demo moves at a watchable pace. */
function configureTown(root: string, env: NodeJS.ProcessEnv): TownContext {
  const town = loadTown(root, env);
  saveSettings(town.paths.settings, {
    ...town.settings,
    role_agents: { ...town.settings.role_agents, polecat: 'sim' },
    daemon: { ...town.settings.daemon, tick_seconds: 1 },
  });
  return loadTown(root, { ...env, GT_DAEMON_TICK_MS: env.GT_DAEMON_TICK_MS ?? '500' });
}

function createDemoBeads(town: TownContext, prefix: string): Map<string, string> {
  const store = openTownStore(town, { actor: 'overseer' });
  try {
    const ids = new Map<string, string>();
    store.write(() => {
      for (const b of DEMO_BEADS) {
        const [bead] = createBeads(store, [
          {
            title: b.title,
            description: b.description,
            priority: b.priority,
            type: 'feature',
            prefix,
            deps: b.after.map((k) => ({ type: 'blocks' as const, id: ids.get(k)! })),
          },
        ]);
        ids.set(b.key, bead!.id);
      }
    });
    return ids;
  } finally {
    store.close();
  }
}

async function watchConvoy(
  town: TownContext,
  id: string,
  say: (line: string) => void,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ConvoyStatus> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, string>();
  for (;;) {
    if (signal?.aborted)
      throw new GtError('GT_DEMO_INTERRUPTED', 'the demo was interrupted; it stopped its daemon and agents');
    const status = showConvoy(town, id);
    for (const t of status.tracked) {
      if (seen.get(t.id) === t.state) continue;
      seen.set(t.id, t.state);
      say(
        `  ${status.landed}/${status.total}  ${t.id}  ${t.state.padEnd(13)} ${t.title}${t.worker ? `  (${t.worker})` : ''}`,
      );
    }
    if (status.complete) return status;
    if (Date.now() > deadline) {
      throw new GtError('GT_DEMO_TIMEOUT', `the demo convoy did not land within ${Math.round(timeoutMs / 1000)} s`, {
        hint: 'run it again with --keep and look with gt status and gt agents in the town it prints',
      });
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The refinery delivers after it records the merge: wait (briefly) until the rig's tip reached the project. */
async function awaitDelivery(town: TownContext, branch: string): Promise<DemoReport['delivered']> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const tip = revParse(loadTownRepo(town), branch);
    const st = readRefineryState(town, RIG);
    if (tip && st.delivered?.commit === tip)
      return { ref: st.delivered.ref, commit: tip, ...(st.delivered.note ? { note: st.delivered.note } : {}) };
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function loadTownRepo(town: TownContext): string {
  return town.paths.repo(RIG);
}

async function shutDown(town: TownContext): Promise<void> {
  try {
    await stopDaemon(town);
  } catch {
    // already gone
  }
  // Stop each agent properly, so a kept town shows them stopped rather than dead; then the server itself.
  const records = withStore(town, (s) => listAgentRecords(s));
  for (const r of records) await stopAgent(town, identityOf(town, parseAddress(town, r.address)));
  await townTmux(town).killServer();
}
