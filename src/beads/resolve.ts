// Turning what a user typed into a bead id: exact ids, unique prefixes, and the hash part alone.
import { GtError, usageError } from '../kernel/index.ts';
import type { Store } from './store.ts';

/**
 * Resolve `input` to one live bead id, or fail naming the problem (unknown or ambiguous). With `exact`, only a whole id
 * (or its part after the prefix) is accepted; a unique start of one is refused with the id it would have meant.
 */
export function resolveId(
  store: Store,
  input: string,
  opts: { includeDeleted?: boolean; exact?: boolean } = {},
): string {
  // Ids from a Go Beads ledger may carry capitals or `_` in their prefix (My_App-x1): an exact id is taken as it is.
  const given = input.trim();
  const asGiven = /[A-Z_]/.test(given)
    ? store.db.get<{ id: string }>(
        `SELECT id FROM issues WHERE id = ?${opts.includeDeleted ? '' : ' AND deleted_at IS NULL'}`,
        given,
      )
    : undefined;
  if (asGiven) return asGiven.id;
  const raw = given.toLowerCase();
  if (!raw)
    throw usageError('BD_BAD_ID', 'an empty id was given', 'pass an id such as bd-a1b, or a unique start of one');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(raw)) {
    throw usageError(
      'BD_BAD_ID',
      `"${input}" is not a bead id`,
      'ids look like bd-a1b or bd-a1b.2; run `bd list` to see them',
    );
  }
  const live = opts.includeDeleted ? '' : ' AND deleted_at IS NULL';
  const exact = store.db.get<{ id: string }>(`SELECT id FROM issues WHERE id = ?${live}`, raw);
  if (exact) return exact.id;
  // A deleted bead's own id must not fall through to the prefix search and land on one of its children.
  if (store.db.get('SELECT 1 AS x FROM issues WHERE id = ?', raw)) {
    throw new GtError('BD_NOT_FOUND', `${raw} was deleted`, { hint: 'see the beads that are left with `bd list`' });
  }
  const candidates = new Set<string>();
  for (const p of raw.includes('-') ? [raw] : [raw, `${store.prefix}-${raw}`]) {
    const rows = store.db.all<{ id: string }>(
      `SELECT id FROM issues WHERE id >= ? AND id < ?${live} ORDER BY id LIMIT 6`,
      p,
      `${p}\uffff`,
    );
    for (const r of rows) candidates.add(r.id);
  }
  if (opts.exact) {
    const whole = `${store.prefix}-${raw}`;
    if (candidates.has(whole)) return whole;
    if (candidates.size > 0) {
      const shown = [...candidates].slice(0, 5).join(', ');
      throw new GtError(
        'BD_NEED_FULL_ID',
        `"${input}" is only the start of ${candidates.size === 1 ? 'the id' : 'the ids'} ${shown}; this command needs a whole id`,
        {
          hint: `check which bead you mean with \`bd show ${[...candidates][0]}\`, then give its whole id`,
        },
      );
    }
  }
  if (candidates.size === 1) return [...candidates][0]!;
  if (candidates.size === 0) {
    throw new GtError('BD_NOT_FOUND', `no bead matches "${input}"`, {
      hint: 'check the id with `bd list` or `bd search <text>`',
    });
  }
  const shown = [...candidates].slice(0, 5).join(', ');
  throw new GtError(
    'BD_AMBIGUOUS_ID',
    `"${input}" matches more than one bead: ${shown}${candidates.size > 5 ? ', …' : ''}`,
    {
      hint: 'type more characters of the id',
    },
  );
}
