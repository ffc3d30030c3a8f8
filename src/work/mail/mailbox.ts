// The mail table of the town store: insert, find by id or unique prefix, list an inbox, mark read/acked/archived.
// This module owns the table: its schema part and every query on it.
import { GtError, usageError } from '../../kernel/index.ts';
import type { SchemaPart, Store } from '../../beads/index.ts';
import { formatAddress, openTownStore, type AgentAddress, type TownContext } from '../../town/index.ts';
import { byUrgency, MAIL_ID_PREFIX, newMailId, type Mail, type MailType } from './model.ts';

/** The table as the store's migration 3 created it (adopted as it is in towns made before schema parts). */
export const MAIL_PART: SchemaPart = {
  name: 'mail',
  migrations: [
    {
      version: 1,
      sql: `
CREATE TABLE IF NOT EXISTS mail (
  id TEXT PRIMARY KEY,
  from_addr TEXT NOT NULL,
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  priority INTEGER NOT NULL DEFAULT 2,
  type TEXT NOT NULL DEFAULT 'message',
  thread_id TEXT,
  reply_to TEXT,
  created_at TEXT NOT NULL,
  read_at TEXT,
  acked_at TEXT,
  archived_at TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS mail_inbox ON mail(to_addr, archived_at, created_at);
CREATE INDEX IF NOT EXISTS mail_thread ON mail(thread_id, created_at);
`,
    },
  ],
};

/** Where mail is read from: an open town store, or the town (opened and closed around the call). */
export type MailSource = Store | TownContext;

export function withMailStore<T>(src: MailSource, fn: (store: Store) => T): T {
  if ('db' in src) return fn(src);
  const store = openTownStore(src);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

interface MailRow {
  id: string;
  from_addr: string;
  to_addr: string;
  subject: string;
  body: string;
  priority: number;
  type: string;
  thread_id: string | null;
  reply_to: string | null;
  created_at: string;
  read_at: string | null;
  acked_at: string | null;
  archived_at: string | null;
}

function toMail(r: MailRow): Mail {
  return {
    id: r.id,
    from: r.from_addr,
    to: r.to_addr,
    subject: r.subject,
    body: r.body,
    priority: r.priority,
    type: r.type as MailType,
    thread_id: r.thread_id ?? r.id,
    reply_to: r.reply_to,
    created_at: r.created_at,
    read_at: r.read_at,
    acked_at: r.acked_at,
    archived_at: r.archived_at,
  };
}

const addressText = (a: string | AgentAddress): string => (typeof a === 'string' ? a : formatAddress(a));

export interface NewMail {
  /** Default: a new random id. Chosen by the caller only where it must be known (a test of id prefixes). */
  id?: string;
  from: string;
  to: string;
  subject: string;
  body: string;
  priority: number;
  type: MailType;
  /** Omitted: a new thread whose id is the first inserted mail's id. */
  thread_id?: string;
  reply_to?: string;
}

/** Insert mails in one transaction; all of them share one thread (the given one, or the first mail's id). */
export function insertMails(store: Store, mails: readonly NewMail[]): Mail[] {
  return store.write(() => {
    let thread: string | undefined = mails[0]?.thread_id;
    const out: Mail[] = [];
    for (const m of mails) {
      let id = m.id ?? newMailId();
      for (let n = 0; !m.id && store.use(MAIL_PART).get('SELECT 1 AS x FROM mail WHERE id = ?', id); n++)
        id = newMailId(n < 3 ? 6 : 8);
      thread ??= id;
      store.use(MAIL_PART).run(
        `INSERT INTO mail (id, from_addr, to_addr, subject, body, priority, type, thread_id, reply_to, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        m.from,
        m.to,
        m.subject,
        m.body,
        m.priority,
        m.type,
        thread,
        m.reply_to ?? null,
        store.now(),
      );
      out.push(getMail(store, id)!);
    }
    return out;
  });
}

export function getMail(store: Store, id: string): Mail | undefined {
  const r = store.use(MAIL_PART).get<MailRow>('SELECT * FROM mail WHERE id = ?', id);
  return r ? toMail(r) : undefined;
}

/** Resolve what a user typed to one mail id: the exact id, a unique start of one, or a unique start of the part after `hq-mail-`. */
export function resolveMailId(store: Store, input: string): string {
  const raw = input.trim().toLowerCase();
  if (!raw)
    throw usageError(
      'GT_BAD_MAIL_ID',
      'an empty mail id was given',
      'pass an id such as hq-mail-a1b2c3, or a unique start of one',
    );
  if (!/^[a-z0-9][a-z0-9-]*$/.test(raw)) {
    throw usageError(
      'GT_BAD_MAIL_ID',
      `"${input}" is not a mail id`,
      'mail ids look like hq-mail-a1b2c3; see them with gt mail inbox',
    );
  }
  if (store.use(MAIL_PART).get('SELECT 1 AS x FROM mail WHERE id = ?', raw)) return raw;
  const found = new Set<string>();
  for (const p of raw.startsWith(MAIL_ID_PREFIX) || MAIL_ID_PREFIX.startsWith(raw)
    ? [raw]
    : [raw, `${MAIL_ID_PREFIX}${raw}`]) {
    for (const r of store
      .use(MAIL_PART)
      .all<{ id: string }>('SELECT id FROM mail WHERE id >= ? AND id < ? ORDER BY id LIMIT 6', p, `${p}\uffff`))
      found.add(r.id);
  }
  if (found.size === 1) return [...found][0]!;
  if (found.size === 0)
    throw new GtError('GT_MAIL_NOT_FOUND', `no mail matches "${input}"`, {
      hint: 'see mail ids with gt mail inbox --json',
    });
  const shown = [...found].slice(0, 5).join(', ');
  throw new GtError(
    'GT_AMBIGUOUS_MAIL_ID',
    `"${input}" matches more than one mail: ${shown}${found.size > 5 ? ', …' : ''}`,
    {
      kind: 'usage',
      hint: 'type more characters of the id',
    },
  );
}

export interface InboxOptions {
  /** Only mail not yet read. */
  unread?: boolean;
  /** Include archived mail. */
  archived?: boolean;
}

/** An agent's mail, newest first; archived mail only when asked. */
export function listInbox(src: MailSource, address: string | AgentAddress, opts: InboxOptions = {}): Mail[] {
  const to = addressText(address);
  return withMailStore(src, (store) => {
    const where = [
      'to_addr = ?',
      ...(opts.archived ? [] : ['archived_at IS NULL']),
      ...(opts.unread ? ['read_at IS NULL'] : []),
    ];
    return store
      .use(MAIL_PART)
      .all<MailRow>(`SELECT * FROM mail WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC`, to)
      .map(toMail);
  });
}

/** Unread, unarchived mail of an agent, most urgent first then oldest first: what `gt prime` and the prompt hook show. */
export function unreadFor(src: MailSource, address: string | AgentAddress): Mail[] {
  return listInbox(src, address, { unread: true }).sort(byUrgency);
}

/** One mail by id or unique prefix, without changing it. */
export function findMail(src: MailSource, idInput: string): Mail {
  return withMailStore(src, (store) => getMail(store, resolveMailId(store, idInput))!);
}

function stamp(src: MailSource, idInput: string, sql: string): Mail {
  return withMailStore(src, (store) =>
    store.write(() => {
      const id = resolveMailId(store, idInput);
      store.use(MAIL_PART).run(sql, store.now(), id);
      return getMail(store, id)!;
    }),
  );
}

/** Mark a mail read (the first read time is kept) and return it. */
export function markRead(src: MailSource, idInput: string): Mail {
  return stamp(src, idInput, 'UPDATE mail SET read_at = coalesce(read_at, ?1) WHERE id = ?2');
}

/** Acknowledge a mail: it was read and acted on. Also marks it read. */
export function ack(src: MailSource, idInput: string): Mail {
  return stamp(
    src,
    idInput,
    'UPDATE mail SET acked_at = coalesce(acked_at, ?1), read_at = coalesce(read_at, ?1) WHERE id = ?2',
  );
}

export interface ArchiveResult {
  archived: Mail[];
  /** Ids that were archived already (left as they were). */
  already: string[];
}

/** Archive mails (all ids are resolved first: one bad id changes nothing). */
export function archive(src: MailSource, idInputs: readonly string[]): ArchiveResult {
  if (idInputs.length === 0)
    throw usageError('GT_BAD_MAIL_ID', 'no mail id was given', 'pass one or more ids: gt mail archive <id>…');
  return withMailStore(src, (store) =>
    store.write(() => {
      const ids = [...new Set(idInputs.map((i) => resolveMailId(store, i)))];
      const out: ArchiveResult = { archived: [], already: [] };
      for (const id of ids) {
        if (
          store
            .use(MAIL_PART)
            .run('UPDATE mail SET archived_at = ? WHERE id = ? AND archived_at IS NULL', store.now(), id) > 0
        )
          out.archived.push(getMail(store, id)!);
        else out.already.push(id);
      }
      return out;
    }),
  );
}

/** The newest handoff mail an agent sent itself (for the cooldown between handoffs). */
export function lastHandoff(store: Store, address: string): { id: string; created_at: string } | undefined {
  return store
    .use(MAIL_PART)
    .get<{ id: string; created_at: string }>(
      "SELECT id, created_at FROM mail WHERE type = 'handoff' AND from_addr = ? AND to_addr = ? ORDER BY created_at DESC LIMIT 1",
      address,
      address,
    );
}

/** Ids of an agent's handoff mails to itself still unread and unarchived (a new handoff supersedes them). */
export function pendingHandoffs(store: Store, address: string): string[] {
  return store
    .use(MAIL_PART)
    .all<{ id: string }>(
      "SELECT id FROM mail WHERE type = 'handoff' AND from_addr = ? AND to_addr = ? AND read_at IS NULL AND archived_at IS NULL",
      address,
      address,
    )
    .map((r) => r.id);
}

/** Changes whenever mail to `address` arrives or is read or archived: the dashboard's cue to redraw its mail panel. */
export function inboxFingerprint(store: Store, address: string): string {
  return (
    store
      .use(MAIL_PART)
      .get<{ f: string | null }>(
        "SELECT count(*) || ':' || count(read_at) || ':' || count(archived_at) AS f FROM mail WHERE to_addr = ?",
        address,
      )?.f ?? ''
  );
}
