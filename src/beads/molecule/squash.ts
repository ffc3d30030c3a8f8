// Ending a molecule: squash (close everything into one closed digest bead) or burn (delete it without a trace).
import { GtError } from '../../kernel/index.ts';
import type { Store } from '../store.ts';
import type { Bead } from '../model.ts';
import { insertBead } from '../create.ts';
import { applyUpdate, closeBeads, deleteInTx } from '../update.ts';
import { descendantIds, moleculeSteps, requireMolecule, type MolStep } from './read.ts';

export interface SquashResult {
  molecule: string;
  digest: Bead;
  /** Steps that were still open and were closed by the squash (persistent molecules). */
  closed: string[];
  /** Beads removed (wisps: the molecule and its steps are deleted, only the digest stays). */
  deleted: string[];
}

/** The digest's text: the caller's summary, then every step with how it ended. */
export function digestText(mol: Bead, steps: readonly MolStep[], summary?: string): string {
  const meta = mol.metadata ?? {};
  const vars = Object.entries((meta.vars as Record<string, string> | undefined) ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const origin = [meta.formula ? `formula ${String(meta.formula)}` : '', vars].filter(Boolean).join(', ');
  const lines = steps.map((s) => {
    const mark = s.state === 'done' ? '[x]' : '[ ]';
    const end = s.state === 'done' ? (s.close_reason ? `: ${s.close_reason}` : '') : ` (was ${s.status})`;
    return `${'  '.repeat(s.depth)}- ${mark} ${s.title} (${s.id})${end}`;
  });
  const done = steps.filter((s) => s.state === 'done').length;
  const head = `Squashed ${mol.id} "${mol.title}"${origin ? ` (${origin})` : ''}: ${done} of ${steps.length} steps done.`;
  return [...(summary?.trim() ? [summary.trim(), ''] : []), head, '', ...lines].join('\n');
}

/**
 * Close a molecule into a digest. A persistent molecule keeps its steps (open ones are closed) and gets the digest as
 * a child; a wisp is deleted and the digest, which is never ephemeral, stands alone as its record.
 */
export function squashMolecule(store: Store, raw: string, opts: { summary?: string } = {}): SquashResult {
  return store.write(() => {
    const mol = requireMolecule(store, raw);
    if (typeof mol.metadata?.digest === 'string') {
      throw new GtError('BD_MOL_SQUASHED', `${mol.id} was already squashed into ${mol.metadata.digest}`, {
        hint: `see it with \`bd show ${mol.metadata.digest}\``,
      });
    }
    const steps = moleculeSteps(store, mol.id);
    const draft = insertBead(store, {
      title: `Digest: ${mol.title}`.slice(0, 500),
      description: digestText(mol, steps, opts.summary),
      type: 'task',
      labels: ['digest'],
      metadata: { digest_of: mol.id, ...(mol.metadata?.formula ? { formula: mol.metadata.formula } : {}) },
      ...(mol.ephemeral ? {} : { parent: mol.id }),
    });
    const [digest] = closeBeads(
      store,
      [draft.id],
      `Squashed from ${steps.length} step${steps.length === 1 ? '' : 's'}`,
    ) as [Bead];
    let closed: string[] = [];
    let deleted: string[] = [];
    if (mol.ephemeral) {
      deleted = [...descendantIds(store, mol.id).filter((id) => id !== digest.id), mol.id];
      for (const id of deleted) deleteInTx(store, id, `squashed into ${digest.id}`);
    } else {
      closed = steps.filter((s) => s.status !== 'closed').map((s) => s.id);
      closeBeads(store, closed, `squashed into ${digest.id}`);
      applyUpdate(store, mol.id, { metadata: { ...mol.metadata, digest: digest.id } });
      closeBeads(store, [mol.id], `squashed into ${digest.id}`);
    }
    return { molecule: mol.id, digest, closed, deleted };
  });
}

/** Delete a molecule and everything under it (steps, nested steps, a digest). */
export function burnMolecule(store: Store, raw: string): { deleted: string[] } {
  return store.write(() => {
    const mol = requireMolecule(store, raw);
    const deleted = [...descendantIds(store, mol.id), mol.id];
    for (const id of deleted) deleteInTx(store, id, `burned molecule ${mol.id}`);
    return { deleted };
  });
}
