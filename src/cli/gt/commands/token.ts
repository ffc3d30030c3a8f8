// gt token issue|list|revoke: per-agent tokens of the town API (docs/town-api.md). Run in the town by its owner.
import type { Command } from 'commander';
import { openTownStore } from '../../../town/index.ts';
import { issueToken, listTokens, revokeTokens } from '../../../server/tokens.ts';
import { emit } from '../../shared/runtime.ts';
import type { GtCtx } from '../context.ts';

export function registerToken(program: Command, ctx: GtCtx): void {
  const token = program
    .command('token')
    .description('tokens of the town API: one per agent, acting only as that agent');
  const withStore = <T>(fn: (s: ReturnType<typeof openTownStore>) => T): T => {
    const s = openTownStore(ctx.town(), { actor: 'gt token' });
    try {
      return fn(s);
    } finally {
      s.close();
    }
  };

  token
    .command('issue')
    .description(
      "make a token for an agent and write it to the agent's token file (0600); older tokens stay valid until revoked",
    )
    .argument('<address>', 'mayor, <rig>/<polecat>, <rig>/crew/<name>, <rig>/refinery or <rig>/witness')
    .addHelpText('after', '\nExample:\n  gt token issue myproject/furiosa --json')
    .action((address: string) => {
      const t = withStore((s) => issueToken(ctx.town(), s, address));
      emit(ctx.io, ctx.json(), {
        data: { id: t.id, address: t.address, file: t.file },
        text: `Token ${t.id} for ${t.address} written to ${t.file} (only you can read it).`,
      });
    });

  token
    .command('list')
    .description('tokens by id and agent (never the tokens themselves: only their hashes are kept)')
    .addHelpText('after', '\nExample:\n  gt token list --json')
    .action(() => {
      const rows = withStore((s) => listTokens(s));
      emit(ctx.io, ctx.json(), {
        data: rows,
        text: rows.length
          ? rows
              .map((r) => `${r.id}  ${r.address}  ${r.created_at}${r.revoked_at ? `  revoked ${r.revoked_at}` : ''}`)
              .join('\n')
          : 'No tokens yet.',
      });
    });

  token
    .command('revoke')
    .description('revoke a token by id, or every token of an agent')
    .argument('<id-or-address>', 'a token id (gt token list) or an agent address')
    .addHelpText('after', '\nExamples:\n  gt token revoke 3f9a1c2b7d0e\n  gt token revoke myproject/furiosa')
    .action((what: string) => {
      const ids = withStore((s) => revokeTokens(ctx.town(), s, what));
      emit(ctx.io, ctx.json(), {
        data: { revoked: ids },
        text: ids.length ? `Revoked ${ids.join(', ')}.` : `No live token matches "${what}".`,
      });
    });
}
