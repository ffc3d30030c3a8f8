// The town every end-to-end test of a real agent CLI starts from (test/e2e-codex, e2e-gemini, e2e-opencode): a town
// with the rig `web`, the scripted model server, the environment that points the CLI at it, a private tmux socket,
// and the checks of a bead that lands. Each test file keeps only what its runtime does differently.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTmux } from '../../src/tmux/index.ts';
import {
  startModelServer,
  type ModelServer,
  type ModelServerOptions,
  type ScriptLogEntry,
} from '../../testing/model-server/index.ts';
import { getBead } from '../../src/beads/index.ts';
import { dumpE2eState, git, gtAsync, gtJson, sourceRepo, tempDir, withTown } from './gt.ts';

const BIN_DIR = resolve(import.meta.dirname, '../../node_modules/.bin');

/**
 * Whether the pinned CLI starts at all (`<bin> --version`): the only reason an end-to-end suite may skip. Says so
 * loudly on stderr when it cannot.
 */
export function cliStarts(bin: string, testFile: string, what: string): boolean {
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  const ok = probe.status === 0 && /\d+\.\d+/.test(probe.stdout);
  if (!ok)
    console.error(
      `\n!!! SKIPPING ${testFile}: ${what} (${bin}) cannot start: ${probe.error?.message ?? probe.stderr ?? `exit ${probe.status}`}\n`,
    );
  return ok;
}

/** A responder wrapped so E2E_VERBOSE=1 prints each answer as it is made. */
export function verbose<Req, Info extends { index: number }, A>(
  label: string,
  respond: (req: Req, info: Info) => Promise<A>,
): (req: Req, info: Info) => Promise<A> {
  return async (req, info) => {
    const answer = await respond(req, info);
    if (process.env.E2E_VERBOSE) {
      const shown = typeof answer === 'string' ? answer : (answer as { content?: unknown }).content;
      process.stderr.write(
        `[e2e-${label} ${new Date().toISOString().slice(11, 19)}] #${info.index} ${JSON.stringify(shown).slice(0, 300)}\n`,
      );
    }
    return answer;
  };
}

export interface E2eTownOptions {
  /** Names the tmux socket, the temp dir and the state dump. */
  label: string;
  /** The scripted model's log, for "Giving up" and the state dump. */
  scriptLog: readonly ScriptLogEntry[];
  /** The model server's answers (the runtime's dialect). */
  server: ModelServerOptions;
  /** The runtime's environment, given the server's URL and a directory for the CLI's own files. */
  runtimeEnv: (serverUrl: string, home: string, town: string) => Record<string, string>;
}

export interface E2eTown {
  town: string;
  env: Record<string, string>;
  server: ModelServer;
  tmux: ReturnType<typeof createTmux>;
  /** The status of a bead in the town store. */
  beadStatus(id: string): string | undefined;
  /** A file of the rig's `main` branch, or undefined. */
  mainFile(path: string): string | undefined;
  /** Polls `probe` until it gives a value; fails early when the script gave up, and writes the state on failure. */
  until<T>(
    probe: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    timeoutMs: number,
  ): Promise<T>;
  /** Stops the daemon, the tmux server and the model server; removes the temp dir. */
  close(): Promise<void>;
}

export async function startE2eTown(o: E2eTownOptions): Promise<E2eTown> {
  const t = tempDir(`gt e2e ${o.label}`);
  const town = join(t.dir, 'town');
  gtJson(t.dir, ['install', town]);
  sourceRepo(join(t.dir, 'web src'), 'main', { 'README.md': '# web\n' });
  gtJson(town, ['rig', 'add', 'web', join(t.dir, 'web src')]);
  const server = await startModelServer(o.server);
  const socket = `gt-test-e2e-${o.label}-${process.pid}`;
  const tmux = createTmux({ socket });
  const env: Record<string, string> = {
    ...o.runtimeEnv(server.url, join(t.dir, `${o.label} home`), town),
    GT_TMUX_SOCKET: socket,
    GT_DAEMON_TICK_MS: '1000',
    GT_DAEMON_GRACE_MS: '3000',
    PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
  };
  const dumpState = (): Promise<string> =>
    dumpE2eState(o.label, { scriptLog: o.scriptLog, requests: server.requests, town, env, tmux });
  return {
    town,
    env,
    server,
    tmux,
    beadStatus: (id) => withTown(town, (s) => getBead(s.db, id)?.status),
    mainFile: (path) => {
      const r = spawnSync('git', ['-C', join(town, 'web', '.repo.git'), 'show', `main:${path}`], { encoding: 'utf8' });
      return r.status === 0 ? r.stdout : undefined;
    },
    async until(probe, what, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v !== undefined && v !== false) return v;
        const gaveUp = o.scriptLog.find((e) => e.text?.startsWith('Giving up'))?.text;
        if (gaveUp) throw new Error(`while waiting for ${what}: ${gaveUp}; state written to ${await dumpState()}`);
        if (Date.now() > deadline)
          throw new Error(
            `timed out after ${timeoutMs / 1000} s waiting for ${what}; state written to ${await dumpState()}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async close() {
      await gtAsync(town, ['daemon', 'stop'], env);
      await tmux.killServer();
      await server.close();
      t.cleanup();
    },
  };
}

export interface Landed {
  id: string;
  polecat: string;
  /** Subjects of the commits on main that touched the file. */
  subjects: string[];
}

/**
 * The loop every runtime must close: start the daemon, file a bead asking for `file` with `content`, `gt sling` it
 * to `web` with `--agent <agent>`, wait until the refinery closed it, and check the file on main.
 */
export async function slingAndLand(
  t: E2eTown,
  o: { agent: string; title: string; file: string; content: string; timeoutMs?: number },
): Promise<Landed> {
  const daemon = await gtAsync(t.town, ['daemon', 'start', '--json'], t.env);
  if (daemon.code !== 0) throw new Error(`gt daemon start: ${daemon.stderr}`);
  const description = `File: "${o.file}" Content: "${o.content.replace(/\n/g, '\\n')}"`;
  const id = gtJson<{ id: string }>(join(t.town, 'web'), ['bd', 'create', o.title, '-d', description]).id;
  const slung = await gtAsync(t.town, ['sling', id, 'web', '--agent', o.agent, '--json'], t.env);
  const result = slung.stdout.trim().startsWith('{')
    ? (JSON.parse(slung.stdout) as { results: { polecat: string; status: string; reason?: string }[] }).results[0]
    : undefined;
  // On a loaded machine a CLI may take longer than gt's start-up wait to show its prompt: the bead stays hooked, the
  // session keeps starting (exit 1, status "hooked"); the work still has to land.
  const slowStart =
    slung.code === 1 &&
    result?.status === 'hooked' &&
    /did not show its ready prompt in time/.test(result.reason ?? '');
  if (slowStart) console.warn(`[e2e-${o.agent}] slow start: ${result.reason}`);
  else if (slung.code !== 0 || !result)
    throw new Error(`gt sling exited ${slung.code}: ${slung.stdout}\n${slung.stderr}`);
  const polecat = result!.polecat;
  await t.until(() => t.beadStatus(id) === 'closed', 'the bead to land', o.timeoutMs ?? 150_000);
  const onMain = t.mainFile(o.file);
  if (onMain !== o.content)
    throw new Error(`main holds ${JSON.stringify(onMain)} in ${o.file}, not ${JSON.stringify(o.content)}`);
  const subjects = git(join(t.town, 'web', '.repo.git'), ['log', '--format=%s', 'main', '--', o.file])
    .split('\n')
    .filter(Boolean);
  return { id, polecat, subjects };
}
