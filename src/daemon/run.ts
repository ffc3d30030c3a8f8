// The daemon in the foreground (`gt daemon run`, what `startDaemon` launches): take the town's pid lock, tick until
// SIGTERM or SIGINT, record start and stop. Settings are re-read every tick, so a config change needs no restart.
import { existsSync, mkdirSync } from 'node:fs';
import { isoNow, messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { loadTown, type TownContext } from '../town/index.ts';
import { reconcileHosts, withStore } from '../work/sessions/index.ts';
import { recordEvent } from './events.ts';
import { daemonFiles, readJson, writeJson, type DaemonInfo } from './files.ts';
import { claimPid, readPid, releasePid } from './pid-lock.ts';
import { defaultPorts, type TickPorts } from './ports.ts';
import { emptyMemory, tick, type DaemonMemory } from './tick.ts';
import { daemonTimings } from './timings.ts';
import { keepTownApi, stopTownApi, type TownApiKeeper } from './town-api.ts';

export type RunOutcome = { status: 'stopped'; ticks: number } | { status: 'already-running'; pid: number };

export interface RunOptions {
  ports?: TickPorts;
  /** Progress lines (the log). */
  log?: (line: string) => void;
  /** Stop after this many ticks (tests). */
  maxTicks?: number;
}

export async function runDaemon(town: TownContext, opts: RunOptions = {}): Promise<RunOutcome> {
  const files = daemonFiles(town);
  const log = opts.log ?? (() => {});
  mkdirSync(town.paths.runtime, { recursive: true });
  const claim = claimPid(files.pid, town.root);
  if (claim.status === 'held') return { status: 'already-running', pid: claim.pid };

  let stopping = false;
  let wake: (() => void) | undefined;
  const onSignal = (sig: string) => () => {
    log(`${isoNow()} ${sig}: stopping after the current tick`);
    stopping = true;
    wake?.();
  };
  const handlers = { SIGTERM: onSignal('SIGTERM'), SIGINT: onSignal('SIGINT') };
  process.on('SIGTERM', handlers.SIGTERM);
  process.on('SIGINT', handlers.SIGINT);

  const ports = opts.ports ?? defaultPorts();
  const memory: DaemonMemory = { ...emptyMemory(), ...readJson<DaemonMemory>(files.memory) };
  const reportedUnwired = new Set<string>();
  let current = town;
  let timings = daemonTimings(town);
  const info: DaemonInfo = {
    pid: process.pid,
    root: town.root,
    started_at: isoNow(),
    tick_ms: timings.tickMs,
    ticks: 0,
    heartbeat_at: isoNow(),
  };
  let ticks = 0;
  /** The settings problem last reported: reported once (log and event), not on every tick, until it changes or is fixed. */
  let settingsProblem: string | undefined;
  const api: TownApiKeeper = {};
  try {
    withStore(town, (s) =>
      recordEvent(s, {
        kind: TOWN_EVENTS.daemon.start,
        subject: String(process.pid),
        reason: `tick every ${timings.tickMs} ms`,
      }),
    );
    writeJson(files.info, info);
    log(`${info.started_at} daemon ${process.pid} running for ${town.root}, tick ${timings.tickMs} ms`);
    while (!stopping) {
      try {
        current = loadTown(town.root, town.env);
        timings = daemonTimings(current);
        if (settingsProblem !== undefined) {
          settingsProblem = undefined;
          log(`${isoNow()} settings readable again; using them`);
          reportSettings(current, TOWN_EVENTS.daemon.settingsReadable, 'settings readable again; the daemon uses them');
        }
      } catch (e) {
        const problem = messageOf(e).split('\n')[0]!;
        if (problem !== settingsProblem) {
          settingsProblem = problem;
          log(`${isoNow()} settings unreadable, keeping the last good ones until they are fixed: ${problem}`);
          reportSettings(
            current,
            TOWN_EVENTS.daemon.settingsUnreadable,
            `${problem}; the daemon keeps the last good settings until this is fixed`,
          );
        }
      }
      try {
        const started = keepTownApi(current, api);
        if (started) log(`${isoNow()} ${started}`);
      } catch (e) {
        log(`${isoNow()} could not start the town API: ${messageOf(e)}`);
      }
      try {
        for (const x of await reconcileHosts(current))
          log(`${isoNow()} stopped session ${x.session} left on host ${x.host}`);
      } catch (e) {
        log(`${isoNow()} reconciling hosts: ${messageOf(e)}`);
      }
      const report = await tick(current, ports, { timings, memory, reportedUnwired });
      ticks++;
      for (const s of report.steps) if (s.status === 'failed') log(`${report.at} ${s.step} failed: ${s.error}`);
      if (orphanedBecause(town, files.pid)) {
        stopping = true;
        break;
      }
      writeJson(files.memory, memory);
      writeJson(files.info, {
        ...info,
        tick_ms: timings.tickMs,
        ticks,
        heartbeat_at: isoNow(),
        last_tick_ms: report.elapsedMs,
      });
      if (opts.maxTicks !== undefined && ticks >= opts.maxTicks) break;
      // Sleep in short slices, watching that the town still exists and the lock is still ours.
      for (const until = Date.now() + timings.tickMs; !stopping && Date.now() < until;) {
        const orphaned = orphanedBecause(town, files.pid);
        if (orphaned) {
          log(`${isoNow()} ${orphaned}: stopping`);
          stopping = true;
          break;
        }
        await new Promise<void>((r) => {
          const timer = setTimeout(r, Math.min(1000, until - Date.now()));
          wake = () => {
            clearTimeout(timer);
            r();
          };
        });
      }
    }
  } finally {
    stopTownApi(api);
    process.off('SIGTERM', handlers.SIGTERM);
    process.off('SIGINT', handlers.SIGINT);
    if (!orphanedBecause(town, files.pid)) {
      try {
        withStore(town, (s) =>
          recordEvent(s, {
            kind: TOWN_EVENTS.daemon.stop,
            subject: String(process.pid),
            reason: stopping ? 'asked to stop' : 'finished its ticks',
            data: { ticks },
          }),
        );
        writeJson(files.info, { ...info, ticks, heartbeat_at: isoNow(), stopped_at: isoNow() });
      } catch {
        // stopping anyway
      }
      releasePid(files.pid);
    }
    log(`${isoNow()} daemon ${process.pid} stopped after ${ticks} ticks`);
  }
  return { status: 'stopped', ticks };
}

/** Why this daemon no longer belongs to its town: the town was removed, or its pid file no longer names us. */
function orphanedBecause(town: TownContext, pidFile: string): string | undefined {
  if (!existsSync(town.paths.townJson)) return `the town ${town.root} is gone`;
  if (readPid(pidFile) !== process.pid) return `${pidFile} no longer names this process`;
  return undefined;
}

/** One town event about the settings file; a store that cannot take it leaves the log line as the only report. */
function reportSettings(
  town: TownContext,
  kind: typeof TOWN_EVENTS.daemon.settingsReadable | typeof TOWN_EVENTS.daemon.settingsUnreadable,
  reason: string,
): void {
  try {
    withStore(town, (s) => recordEvent(s, { kind, subject: 'settings', reason }));
  } catch {
    // the log line stands
  }
}
