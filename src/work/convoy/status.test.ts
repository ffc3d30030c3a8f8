import { describe, expect, it } from 'vitest';
import type { Bead } from '../../beads/index.ts';
import { convoyMeta, convoyStatus, formatAge, progressBar, type MergeRequestRow, type PolecatRow } from './status.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

function bead(id: string, over: Partial<Bead> = {}): Bead {
  return {
    id,
    title: `Title ${id}`,
    description: '',
    design: '',
    acceptance: '',
    notes: '',
    status: 'open',
    priority: 2,
    type: 'task',
    assignee: null,
    labels: [],
    created_at: at(0),
    created_by: 'mayor',
    updated_at: at(0),
    closed_at: null,
    close_reason: null,
    external_ref: null,
    defer_until: null,
    metadata: null,
    ephemeral: false,
    deleted_at: null,
    deleted_by: null,
    ...over,
  };
}

function mr(id: string, b: string, status: string, over: Partial<MergeRequestRow> = {}): MergeRequestRow {
  return {
    id,
    bead: b,
    polecat: 'toast',
    rig: 'app',
    status,
    failure: null,
    rework_bead: null,
    created_at: at(10),
    updated_at: at(12),
    ...over,
  };
}

const convoy = bead('hq-c1', {
  type: 'convoy',
  title: 'Login',
  metadata: { owner: 'mayor', notify: ['app/crew/alice'], human: true },
});

describe('convoyStatus', () => {
  const status = (
    tracked: Bead[],
    mrs: MergeRequestRow[] = [],
    polecats: PolecatRow[] = [],
    reworks = new Map<string, Bead>(),
  ) => convoyStatus({ convoy, tracked, mergeRequests: mrs, polecats, reworks, now: T0 + 60 * 60_000 });

  it('moves a bead from queued to working to merge-pending to merged', () => {
    expect(status([bead('app-1')]).tracked[0]).toMatchObject({ state: 'queued', worker: null, age_s: 3600 });
    const hooked = bead('app-1', { status: 'hooked', assignee: 'app/toast', updated_at: at(5) });
    const pc: PolecatRow = { rig: 'app', name: 'toast', bead: 'app-1', state: 'working', updated_at: at(6) };
    expect(status([hooked], [], [pc]).tracked[0]).toMatchObject({
      state: 'working',
      worker: 'app/toast',
      since: at(6),
    });
    const done = bead('app-1', { status: 'in_progress', assignee: 'app/toast' });
    expect(status([done], [mr('mr-1', 'app-1', 'queued')]).tracked[0]).toMatchObject({
      state: 'merge-pending',
      merge_request: 'mr-1',
      since: at(10),
    });
    expect(status([done], [mr('mr-1', 'app-1', 'running')]).tracked[0]?.state).toBe('merge-pending');
    const merged = bead('app-1', { status: 'closed', close_reason: 'merged 3f2e1d0', closed_at: at(30) });
    const s = status([merged], [mr('mr-1', 'app-1', 'merged')]);
    expect(s.tracked[0]).toMatchObject({ state: 'merged', age_s: 30 * 60 });
    expect(s).toMatchObject({ landed: 1, total: 1, complete: true });
  });

  it('is complete only when every tracked bead has landed, merged or closed without code', () => {
    const a = bead('app-1', { status: 'closed', close_reason: 'merged abc', closed_at: at(1) });
    const b = bead('web-1', { status: 'closed', close_reason: 'no changes', closed_at: at(2) });
    const c = bead('web-2', { status: 'in_progress', assignee: 'web/nux' });
    const open = status([a, b, c], [mr('mr-3', 'web-2', 'queued')]);
    expect(open).toMatchObject({ landed: 2, total: 3, complete: false });
    expect(open.tracked.map((t) => t.state)).toEqual(['merged', 'landed-no-code', 'merge-pending']);
    expect(open.counts).toMatchObject({ merged: 1, 'landed-no-code': 1, 'merge-pending': 1, queued: 0 });
    // Closing the issue is not landing while its merge is still pending elsewhere: only the close reason decides.
    expect(status([a, b, { ...c, status: 'closed', close_reason: 'merged def', closed_at: at(3) }]).complete).toBe(
      true,
    );
  });

  it('never calls an empty convoy complete', () => {
    expect(status([])).toMatchObject({ landed: 0, total: 0, complete: false });
  });

  it('shows a failed merge as failed, as working while its rework is open, and the newest request wins', () => {
    const b = bead('app-1', { status: 'in_progress', assignee: 'app/toast' });
    const failed = mr('mr-1', 'app-1', 'failed', { failure: 'conflict in src/a.ts', rework_bead: 'app-9' });
    expect(status([b], [failed]).tracked[0]).toMatchObject({ state: 'failed', detail: 'conflict in src/a.ts' });
    const rework = bead('app-9', { status: 'hooked', assignee: 'app/nux', updated_at: at(20) });
    expect(status([b], [failed], [], new Map([['app-9', rework]])).tracked[0]).toMatchObject({
      state: 'working',
      worker: 'app/nux',
      detail: 'rework app-9',
    });
    const retried = mr('mr-2', 'app-1', 'queued', { created_at: at(40), updated_at: at(40) });
    expect(status([b], [failed, retried]).tracked[0]).toMatchObject({ state: 'merge-pending', merge_request: 'mr-2' });
    expect(status([b], [mr('mr-1', 'app-1', 'rejected')]).tracked[0]?.state).toBe('failed');
  });

  it('reads owner, notify, human and fed from the metadata, with safe defaults', () => {
    expect(convoyMeta(convoy)).toEqual({ owner: 'mayor', notify: ['app/crew/alice'], human: true, fed: true });
    // A convoy made before staging existed has no `fed`: it is fed, as all convoys were.
    expect(convoyMeta(bead('hq-2', { metadata: { notify: 'x', human: 'yes' } }))).toEqual({
      owner: 'mayor',
      notify: [],
      human: false,
      fed: true,
    });
    expect(convoyMeta(bead('hq-3', { metadata: { fed: false } })).fed).toBe(false);
  });
});

describe('rendering helpers', () => {
  it('draws progress and ages', () => {
    expect(progressBar(3, 6, 10)).toBe('[#####-----] 3/6');
    expect(progressBar(0, 0, 4)).toBe('[----] 0/0');
    expect([45, 120, 7200, 200_000].map(formatAge)).toEqual(['45s', '2m', '2h', '2d']);
  });
});
