// A Go Beads ledger generated from Beads' documented record format (reference/beads.md §2.1, §2.2, §2.4, §2.7):
// every issue field, every edge kind, numeric and UUID comment ids, tombstones, `_type` records, every id form.

/** A small deterministic generator (mulberry32), so a failing run can be repeated. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const GO_STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed', 'pinned', 'hooked'] as const;
export const GO_TYPES = [
  'bug',
  'feature',
  'task',
  'epic',
  'chore',
  'decision',
  'message',
  'molecule',
  'gate',
  'spike',
  'story',
  'milestone',
  'event',
  'agent',
  'role',
  'rig',
  'convoy',
  'merge-request',
  'slot',
] as const;
/** Every kind of edge Beads knows, and one custom kind (any string up to 50 characters is accepted). */
export const GO_EDGE_KINDS = [
  'blocks',
  'parent-child',
  'conditional-blocks',
  'waits-for',
  'related',
  'relates-to',
  'discovered-from',
  'replies-to',
  'duplicates',
  'supersedes',
  'authored-by',
  'assigned-to',
  'approved-by',
  'attests',
  'tracks',
  'until',
  'caused-by',
  'validates',
  'delegated-from',
  'team:reviewed-by',
] as const;

type Rec = Record<string, unknown>;

export interface GoLedger {
  /** The records, one per line, as Go Beads would write them. */
  records: Rec[];
  text: string;
}

/** A Go time.Time in RFC 3339 with nanoseconds and an offset, as `encoding/json` writes it (trailing zeros cut). */
function goTime(r: () => number, base: number): string {
  const ms = base + Math.floor(r() * 86_400_000 * 30);
  const offsetMin = [0, -420, 60, 330][Math.floor(r() * 4)]!;
  const d = new Date(ms + offsetMin * 60_000);
  const nanos = String(Math.floor(r() * 1e9))
    .padStart(9, '0')
    .replace(/0+$/, '');
  const frac = nanos ? `.${nanos}` : '';
  const pad = (n: number): string => String(n).padStart(2, '0');
  const off =
    offsetMin === 0
      ? 'Z'
      : `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}${off}`;
}

const uuid = (r: () => number): string => {
  const h = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
};

/** `n` issues (plus children, tombstones and memory records) in Go Beads' JSONL shape. */
export function goLedger(n: number, seed = 19): GoLedger {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const base = Date.UTC(2025, 10, 1);
  const people = ['alice', 'bob', 'carol@example.com', 'dev-agent', 'Zoë Ünïcode'];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    // Sequential (bd-0088 style, era 0.1–0.9), 5-char hash, 6-char hash: all three forms at once.
    const form = i % 3;
    ids.push(
      form === 0
        ? `bd-${String(i).padStart(4, '0')}`
        : form === 1
          ? `bd-${(i * 7919 + 36 ** 4).toString(36).slice(-5)}`
          : `bd-${(i * 104729 + 36 ** 5).toString(36).slice(-6)}`,
    );
  }
  const records: Rec[] = [];
  let commentSeq = 1;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    const created = goTime(r, base);
    const status = i % 41 === 7 ? 'tombstone' : pick(GO_STATUSES);
    const type = pick(GO_TYPES);
    const rec: Rec = {
      id,
      title: `Issue ${i}: ${pick(['fix', 'add', 'rework', 'investigate'])} ${pick(['login', 'the “quoted” parser', 'emoji 🚀 flow', 'Grüße'])}`,
    };
    rec.description = r() < 0.2 ? '' : `## Context\nLine one of ${id}.\n\n- item\n- item with \`code\``;
    if (r() < 0.5) rec.design = 'Design notes\nwith two lines';
    if (r() < 0.5) rec.acceptance_criteria = '- [ ] it works\n- [ ] tests pass';
    if (r() < 0.4) rec.notes = `Notes on ${id}`;
    if (r() < 0.2) rec.spec_id = `SPEC-${i}`;
    rec.status = status;
    rec.priority = Math.floor(r() * 5);
    rec.issue_type = status === 'tombstone' ? 'task' : type;
    if (r() < 0.6) rec.assignee = pick(people);
    if (r() < 0.7) rec.owner = `${pick(['alice', 'bob'])}@example.com`;
    if (r() < 0.3) rec.estimated_minutes = Math.floor(r() * 600);
    rec.created_at = created;
    rec.created_by = pick(people);
    rec.updated_at = goTime(r, base + 86_400_000 * 31);
    if (status === 'in_progress' || r() < 0.1) rec.started_at = goTime(r, base + 86_400_000 * 30);
    if (status === 'closed') {
      rec.closed_at = goTime(r, base + 86_400_000 * 31);
      if (r() < 0.8) rec.close_reason = pick(['done', 'wontfix', 'duplicate of bd-0001']);
      if (r() < 0.3) rec.closed_by_session = uuid(r);
    }
    if (r() < 0.2) rec.due_at = goTime(r, base + 86_400_000 * 60);
    if (status === 'deferred' || r() < 0.05) rec.defer_until = goTime(r, base + 86_400_000 * 90);
    if (r() < 0.3) rec.external_ref = pick(['gh-9', 'jira-ABC-12', 'https://linear.app/x/issue/X-1']);
    if (r() < 0.1) rec.source_system = 'github';
    if (r() < 0.4)
      rec.metadata = { estimate: { points: Math.floor(r() * 8) }, tags: ['a', 'b'], flag: r() < 0.5, note: null };
    if (r() < 0.1) {
      rec.compaction_level = 1;
      rec.compacted_at = goTime(r, base);
      rec.compacted_at_commit = 'a1b2c3d';
      rec.original_size = 4096;
    }
    if (r() < 0.5)
      rec.labels = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(r() * 3) }, () =>
            pick(['backend', 'ui', 'area:db', 'gate:human', 'provides:auth', 'p-1']),
          ),
        ),
      ].sort();
    // Agent / orchestration fields of a newer Beads (§2.1): unknown to this project, so they must come back as they went.
    if (r() < 0.15)
      Object.assign(rec, {
        source_repo: '.',
        sender: 'mayor',
        pinned: r() < 0.5,
        is_template: false,
        bonded_from: [{ proto: 'mol-x' }],
      });
    if (type === 'gate' && r() < 0.8)
      Object.assign(rec, {
        await_type: 'gh:pr',
        await_id: '42',
        timeout: 3_600_000_000_000,
        waiters: ['gastown/witness'],
      });
    if (type === 'event')
      Object.assign(rec, { event_kind: 'state_change', actor: 'bob', target: ids[0], payload: '{"x":1}' });
    if (type === 'molecule')
      Object.assign(rec, {
        mol_type: 'swarm',
        work_type: 'open_competition',
        source_formula: 'release',
        source_location: 'formulas/release.formula.toml:3',
      });
    if (r() < 0.05) rec.schema_version = 1;
    const deps: Rec[] = [];
    const targets = new Set<string>();
    const edgeCount = i === 0 ? 0 : Math.floor(r() * 3);
    for (let k = 0; k < edgeCount; k++) {
      // Edges only point to earlier issues: the generated graph has no cycle, as Beads' own checks keep it.
      const to = r() < 0.05 ? `external:other-project:${pick(['auth', 'billing'])}` : ids[Math.floor(r() * i)]!;
      if (targets.has(to) || to === id) continue;
      targets.add(to);
      const dep: Rec = {
        issue_id: id,
        depends_on_id: to,
        type: pick(GO_EDGE_KINDS),
        created_at: goTime(r, base),
        created_by: pick(people),
      };
      if (dep.type === 'waits-for') dep.metadata = { gate: pick(['all-children', 'any-children']) };
      if (dep.type === 'replies-to') dep.thread_id = ids[0];
      deps.push(dep);
    }
    if (deps.length)
      rec.dependencies = deps.sort((a, b) => ((a.depends_on_id as string) < (b.depends_on_id as string) ? -1 : 1));
    const nComments = r() < 0.4 ? 1 + Math.floor(r() * 3) : 0;
    const comments: Rec[] = [];
    for (let k = 0; k < nComments; k++) {
      // The classic era numbered comments; later ones use UUIDs (§2.4). A ledger can hold both.
      comments.push({
        id: r() < 0.5 ? commentSeq++ : uuid(r),
        issue_id: id,
        author: pick(people),
        text: `Comment ${k} on ${id}:\n> quoted`,
        created_at: goTime(r, base + 86_400_000 * k),
      });
    }
    if (comments.length)
      rec.comments = comments.sort((a, b) => ((a.created_at as string) < (b.created_at as string) ? -1 : 1));
    if (status === 'tombstone')
      Object.assign(rec, {
        deleted_at: goTime(r, base + 86_400_000 * 32),
        deleted_by: 'alice',
        delete_reason: 'duplicate',
        original_type: type,
      });
    records.push(rec);
    // Hierarchical children (`bd-a3f8e9.1`, `.1.1`) with their parent-child edge.
    if (i % 50 === 2) {
      for (const suffix of ['.1', '.2', '.1.1']) {
        const cid = `${id}${suffix}`;
        const parent = suffix === '.1.1' ? `${id}.1` : id;
        records.push({
          id: cid,
          title: `Child ${suffix} of ${id}`,
          description: '',
          status: 'open',
          priority: 2,
          issue_type: 'task',
          created_at: created,
          created_by: 'alice',
          updated_at: created,
          dependencies: [
            { issue_id: cid, depends_on_id: parent, type: 'parent-child', created_at: created, created_by: 'alice' },
          ],
        });
      }
    }
  }
  const memories = [
    { _type: 'memory', key: 'build', value: 'run make test before pushing', created_at: goTime(r, base) },
    { _type: 'memory', key: 'style', value: 'prefer small commits', created_at: goTime(r, base) },
  ];
  records.sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
  const all = [...memories, ...records];
  return { records: all, text: `${all.map((x) => JSON.stringify(x)).join('\n')}\n` };
}

/**
 * A record as compared after a round trip: embedded lists in Beads' export order (labels sorted, edges by target,
 * comments by time), since their order carries no meaning.
 */
export function comparable(rec: Record<string, unknown>): Record<string, unknown> {
  const o = { ...rec };
  if (Array.isArray(o.labels)) o.labels = [...(o.labels as string[])].sort();
  if (Array.isArray(o.dependencies))
    o.dependencies = [...(o.dependencies as Rec[])].sort((a, b) =>
      (a.depends_on_id as string) < (b.depends_on_id as string) ? -1 : 1,
    );
  if (Array.isArray(o.comments))
    o.comments = [...(o.comments as Rec[])].sort((a, b) =>
      (a.created_at as string) < (b.created_at as string)
        ? -1
        : (a.created_at as string) > (b.created_at as string)
          ? 1
          : String(a.id) < String(b.id)
            ? -1
            : 1,
    );
  return o;
}
