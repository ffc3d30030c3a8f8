// Human-readable rendering of beads for the terminal.
import type { Bead, BeadDetails, BeadEvent, Dependency, DepTreeNode } from '../../beads/index.ts';

const SYMBOL: Record<string, string> = {
  open: '○', in_progress: '◐', hooked: '⚓', blocked: '⊘', deferred: '❄', pinned: '📌', closed: '✓',
};

export function beadLine(b: Bead): string {
  const who = b.assignee ? `  @${b.assignee}` : '';
  const labels = b.labels.length ? `  [${b.labels.join(', ')}]` : '';
  return `${SYMBOL[b.status] ?? '?'} ${b.id}  P${b.priority} ${b.type}  ${b.title}${who}${labels}`;
}

export function beadList(beads: readonly Bead[], total: number, empty: string): string {
  if (beads.length === 0) return empty;
  const more = total > beads.length ? `\nShowing ${beads.length} of ${total}` : '';
  return `${beads.map(beadLine).join('\n')}${more}`;
}

function section(name: string, text: string): string {
  return text ? `\n${name}:\n${text.replace(/^/gm, '  ')}` : '';
}

export function beadDetails(d: BeadDetails & { dependents?: Dependency[]; events?: BeadEvent[] }): string {
  const lines = [
    `${SYMBOL[d.status] ?? '?'} ${d.id}: ${d.title}`,
    `Status: ${d.status}   Priority: P${d.priority}   Type: ${d.type}${d.assignee ? `   Assignee: ${d.assignee}` : ''}`,
    `Created: ${d.created_at} by ${d.created_by || 'unknown'}   Updated: ${d.updated_at}`,
  ];
  if (d.closed_at) lines.push(`Closed: ${d.closed_at}${d.close_reason ? ` (${d.close_reason})` : ''}`);
  if (d.labels.length) lines.push(`Labels: ${d.labels.join(', ')}`);
  if (d.external_ref) lines.push(`External: ${d.external_ref}`);
  if (d.defer_until) lines.push(`Deferred until: ${d.defer_until}`);
  let text = lines.join('\n');
  text += section('Description', d.description);
  text += section('Design', d.design);
  text += section('Acceptance', d.acceptance);
  text += section('Notes', d.notes);
  if (d.dependencies.length) text += section('Depends on', d.dependencies.map((x) => `${x.depends_on_id} (${x.type})`).join('\n'));
  if (d.dependents?.length) text += section('Dependents', d.dependents.map((x) => `${x.issue_id} (${x.type})`).join('\n'));
  if (d.comments.length) text += section('Comments', d.comments.map((c) => `[${c.created_at}] ${c.author}: ${c.text}`).join('\n'));
  return text;
}

export function depTree(n: DepTreeNode, indent = ''): string {
  const head = `${indent}${n.type === 'root' ? '' : `(${n.type}) `}${SYMBOL[n.status] ?? '?'} ${n.id} ${n.title}${n.repeated ? ' ↺' : ''}`;
  return [head, ...n.children.map((c) => depTree(c, `${indent}  `))].join('\n');
}
