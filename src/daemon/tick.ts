// One reconcile pass of the daemon: observe the polecats, then each step in turn (dead sessions, always-on crew, stuck agents, merge
// queues, convoys, the sling queue, snapshots, idle sessions). A failing step is recorded and the others still run.
import { messageOf, TOWN_EVENTS } from '../kernel/index.ts';
import { latestBySubject, rigNames, type TownContext } from '../town/index.ts';
import { townTmux, withStore } from '../work/sessions/index.ts';
import { applyDead, applyReap, applyStuck } from './agents-step.ts';
import { applyAlwaysOn, observeAlwaysOn, planAlwaysOn, type AlwaysOnMemory } from './always-on.ts';
import { recordEvent } from './events.ts';
import { resumeSettled } from './resume.ts';
import { observePolecats } from './observe.ts';
import {
  planDead,
  planReap,
  planSnapshots,
  planStuck,
  stuckCandidates,
  type ActivityMemory,
  type PolecatObservation,
} from './plan.ts';
import type { TickPorts } from './ports.ts';
import type { DaemonTimings } from './timings.ts';

/** What the daemon carries from one tick to the next (persisted in `.runtime/daemon-memory.json`). */
export interface DaemonMemory {
  activity: Record<string, ActivityMemory>;
  /** Address → when its worktree was last snapshotted. */
  snapshots: Record<string, number>;
  /** Always-on crew → its restarts in a row (always-on.ts). */
  alwaysOn: Record<string, AlwaysOnMemory>;
}

export const emptyMemory = (): DaemonMemory => ({ activity: {}, snapshots: {}, alwaysOn: {} });

export interface StepReport {
  step: string;
  status: 'ok' | 'failed' | 'unwired';
  error?: string;
}

export interface TickReport {
  at: string;
  elapsedMs: number;
  steps: StepReport[];
}

export interface TickOptions {
  timings: DaemonTimings;
  memory: DaemonMemory;
  now?: number;
  /** Steps not wired yet are reported once per daemon; this remembers which were. */
  reportedUnwired?: Set<string>;
}

export async function tick(town: TownContext, ports: TickPorts, opts: TickOptions): Promise<TickReport> {
  const started = Date.now();
  const now = opts.now ?? started;
  const t = opts.timings;
  const mem = opts.memory;
  const steps: StepReport[] = [];
  const event = (e: Parameters<typeof recordEvent>[1]): void => withStore(town, (s) => recordEvent(s, e));
  const step = async (name: string, fn: (() => Promise<unknown>) | undefined): Promise<void> => {
    if (!fn) {
      steps.push({ step: name, status: 'unwired' });
      if (!opts.reportedUnwired?.has(name)) {
        opts.reportedUnwired?.add(name);
        event({
          kind: TOWN_EVENTS.daemon.unwired,
          subject: name,
          reason: `the ${name} step has no implementation in this build; skipped`,
        });
      }
      return;
    }
    try {
      await fn();
      steps.push({ step: name, status: 'ok' });
    } catch (e) {
      steps.push({ step: name, status: 'failed', error: messageOf(e) });
      try {
        event({ kind: TOWN_EVENTS.daemon.error, subject: name, reason: messageOf(e) });
      } catch {
        // the store itself failed: the report still says so
      }
    }
  };
  /** Run `fn` for each item; one item's failure is recorded and the rest still run; the step fails if any did. */
  const each = async <T>(
    items: readonly T[],
    label: (x: T) => string,
    fn: (x: T) => Promise<unknown>,
  ): Promise<void> => {
    const results = await Promise.allSettled(items.map(fn));
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${label(items[i]!)}: ${messageOf(r.reason)}`] : [],
    );
    if (failed.length) throw new Error(failed.join('; '));
  };

  let obs: PolecatObservation[] = [];
  await step('observe', async () => {
    obs = await observePolecats(town, townTmux(town));
  });

  await step('resume', () => resumeSettled(town));

  await step('restart-dead', async () => {
    const escalated = withStore(
      town,
      (s) =>
        new Map(latestBySubject(s, { kind: TOWN_EVENTS.daemon.restartCap }).map((e) => [e.subject!, Date.parse(e.at)])),
    );
    const decisions = planDead(obs, now, t, escalated);
    await each(
      decisions,
      (d) => `${d.rig}/${d.name}`,
      (d) => applyDead(town, ports, d, Math.max(5000, Math.min(60_000, t.tickMs * 10))),
    );
  });

  await step('always-on', async () => {
    const planned = planAlwaysOn(await observeAlwaysOn(town), mem.alwaysOn ?? {}, now, t);
    mem.alwaysOn = planned.memory;
    await each(
      planned.decisions,
      (d) => d.address,
      (d) => applyAlwaysOn(town, ports, d, Math.max(5000, Math.min(60_000, t.tickMs * 10))),
    );
  });

  await step('stuck', async () => {
    const candidates = stuckCandidates(obs, now, t.graceMs);
    const keep = new Set(candidates.map((o) => o.address));
    for (const a of Object.keys(mem.activity)) if (!keep.has(a)) delete mem.activity[a];
    await each(
      candidates,
      (o) => o.address,
      async (o) => {
        const v = planStuck(o, mem.activity[o.address], now, t.stuckMs);
        mem.activity[o.address] = v.action === 'none' ? v.memory : await applyStuck(town, ports, o, v);
      },
    );
  });

  const { processQueue, checkConvoys, feedConvoys, drainSlingQueue, snapshotWorktree, recordCosts } = ports;
  await step('costs', recordCosts && (async () => recordCosts(town)));
  await step(
    'refinery',
    processQueue &&
      (() =>
        each(
          rigNames(town),
          (r) => r,
          async (rig) => processQueue(town, rig),
        )),
  );
  await step(
    'convoys',
    checkConvoys &&
      feedConvoys &&
      (async () => {
        await checkConvoys(town);
        await feedConvoys(town);
      }),
  );
  await step('sling-queue', drainSlingQueue && (async () => drainSlingQueue(town)));
  await step(
    'snapshots',
    snapshotWorktree &&
      (async () => {
        const due = planSnapshots(obs, now, t.snapshotMs, new Map(Object.entries(mem.snapshots)));
        await each(
          due,
          (o) => o.address,
          async (o) => {
            const r = (await snapshotWorktree(town, o.rig, o.name)) as
              { status?: string; snapshot?: { ref?: string } } | undefined;
            mem.snapshots[o.address] = now;
            if (r && r.status !== 'unchanged')
              event({
                kind: TOWN_EVENTS.daemon.snapshot,
                subject: o.address,
                reason: `periodic snapshot of the worktree holding ${o.bead}`,
                data: { ref: r.snapshot?.ref ?? null },
              });
          },
        );
      }),
  );
  await step('reap', () =>
    each(
      planReap(obs, now, t),
      (d) => `${d.rig}/${d.name}`,
      (d) => applyReap(town, d),
    ),
  );

  return { at: new Date(started).toISOString(), elapsedMs: Date.now() - started, steps };
}
