// Comments on beads and label listings.
import { validateText, type Comment } from './model.ts';
import type { Store } from './store.ts';
import { resolveId } from './resolve.ts';
import { commentsOf } from './rows.ts';
import { usageError, BEAD_EVENTS } from '../kernel/index.ts';
import { randomId } from './ids.ts';

/** Add a comment inside the current write. */
export function insertComment(store: Store, id: string, text: string, author = store.actor()): Comment {
  if (!text.trim()) throw usageError('BD_EMPTY_COMMENT', 'comment text is empty');
  validateText('comment', text);
  const c: Comment = { id: randomId(), issue_id: id, author, text, created_at: store.now() };
  store.db.run(
    'INSERT INTO comments (id, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)',
    c.id,
    id,
    author,
    text,
    c.created_at,
  );
  store.db.run('UPDATE issues SET updated_at = ? WHERE id = ?', c.created_at, id);
  store.event(id, BEAD_EVENTS.commented, null, text.length > 200 ? `${text.slice(0, 200)}…` : text);
  store.touch(id);
  return c;
}

export function addComment(store: Store, rawId: string, text: string): Comment {
  return store.write(() => insertComment(store, resolveId(store, rawId), text));
}

export function listComments(store: Store, rawId: string): Comment[] {
  return commentsOf(store.db, resolveId(store, rawId));
}

/** Every label in use with the number of live beads carrying it. */
export function allLabels(store: Store): { label: string; count: number }[] {
  return store.db.all<{ label: string; count: number }>(
    'SELECT l.label AS label, count(*) AS count FROM labels l JOIN issues i ON i.id = l.issue_id WHERE i.deleted_at IS NULL GROUP BY l.label ORDER BY l.label',
  );
}

export interface BeadEvent {
  id: number;
  issue_id: string;
  type: string;
  actor: string;
  old_value: string | null;
  new_value: string | null;
  created_at: string;
}

export function eventsOf(store: Store, id: string): BeadEvent[] {
  return store.db.all<BeadEvent>(
    'SELECT id, issue_id, type, actor, old_value, new_value, created_at FROM events WHERE issue_id = ? ORDER BY id',
    id,
  );
}
