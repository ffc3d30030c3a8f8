// Human-readable rendering of beads for the terminal. Text from the store goes through safeLine/safeText: a title or
// a comment must not be able to set the clipboard, retitle the window or hide text (issue 12 §5); --json is exact.
import { safeLine, safeText } from '../../kernel/index.ts';
import type { Bead, BeadDetails, BeadEvent, Dependency, DepTreeNode } from '../../beads/index.ts';

const SYMBOL: Record<string, string> = {
  open: '○',
  in_progress: '◐',
  hooked: '⚓',
  blocked: '⊘',
  deferred: '❄',
  pinned: '📌',
  closed: '✓',
};

export function beadLine(b: Bead): string {
  const who = b.assignee ? `  @${safeLine(b.assignee)}` : '';
  const labels = b.labels.length ? `  [${safeLine(b.labels.join(', '))}]` : '';
  return `${SYMBOL[b.status] ?? '?'} ${safeLine(b.id)}  P${b.priority} ${safeLine(b.type)}  ${safeLine(b.title)}${who}${labels}`;
}

export function beadList(beads: readonly Bead[], total: number, empty: string): string {
  if (beads.length === 0) return empty;
  const more = total > beads.length ? `\nShowing ${beads.length} of ${total}` : '';
  return `${beads.map(beadLine).join('\n')}${more}`;
}

function section(name: string, text: string): string {
  return text ? `\n${name}:\n${safeText(text).replace(/^/gm, '  ')}` : '';
}

export function beadDetails(d: BeadDetails & { dependents?: Dependency[]; events?: BeadEvent[] }): string {
  const l = safeLine;
  const lines = [
    `${SYMBOL[d.status] ?? '?'} ${l(d.id)}: ${l(d.title)}`,
    `Status: ${d.status}   Priority: P${d.priority}   Type: ${l(d.type)}${d.assignee ? `   Assignee: ${l(d.assignee)}` : ''}${d.owner ? `   Owner: ${l(d.owner)}` : ''}`,
    `Created: ${l(d.created_at)} by ${l(d.created_by || 'unknown')}   Updated: ${l(d.updated_at)}`,
  ];
  if (d.closed_at) lines.push(`Closed: ${l(d.closed_at)}${d.close_reason ? ` (${l(d.close_reason)})` : ''}`);
  if (d.labels.length) lines.push(`Labels: ${l(d.labels.join(', '))}`);
  if (d.external_ref) lines.push(`External: ${l(d.external_ref)}`);
  if (d.defer_until) lines.push(`Deferred until: ${l(d.defer_until)}`);
  let text = lines.join('\n');
  text += section('Description', d.description);
  text += section('Design', d.design);
  text += section('Acceptance', d.acceptance);
  text += section('Notes', d.notes);
  if (d.dependencies.length)
    text += section('Depends on', d.dependencies.map((x) => `${l(x.depends_on_id)} (${l(x.type)})`).join('\n'));
  if (d.dependents?.length)
    text += section('Dependents', d.dependents.map((x) => `${l(x.issue_id)} (${l(x.type)})`).join('\n'));
  if (d.comments.length) text += section('Comments', d.comments.map(commentLine).join('\n'));
  return text;
}

/** A comment for the terminal (multi-line text kept, control sequences shown as escapes). */
export function commentLine(c: { created_at: string; author: string; text: string }): string {
  return `[${safeLine(c.created_at)}] ${safeLine(c.author)}: ${safeText(c.text)}`;
}

export function depTree(n: DepTreeNode, indent = ''): string {
  const head = `${indent}${n.type === 'root' ? '' : `(${n.type}) `}${SYMBOL[n.status] ?? '?'} ${safeLine(n.id)} ${safeLine(n.title)}${n.repeated ? ' ↺' : ''}`;
  return [head, ...n.children.map((c) => depTree(c, `${indent}  `))].join('\n');
}
