// gt completion bash|zsh|fish: print a completion script; gt __complete <kind> (hidden): its dynamic values.
import type { Command } from 'commander';
import { usageError } from '../../../kernel/index.ts';
import { completionScript, completionValues, SHELLS, VALUE_KINDS, type Shell } from '../completion/index.ts';
import type { GtCtx } from '../context.ts';

export function registerCompletion(program: Command, ctx: GtCtx): void {
  program
    .command('completion')
    .description(`print a shell completion script (${SHELLS.join(', ')})`)
    .argument('<shell>', `the shell: ${SHELLS.join(', ')}`)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  gt completion bash > ~/.local/share/bash-completion/completions/gt',
        '  gt completion zsh > "${fpath[1]}/_gt"',
        '  gt completion fish > ~/.config/fish/completions/gt.fish',
      ].join('\n'),
    )
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw usageError(
          'GT_BAD_SHELL',
          `no completion for shell "${shell}"`,
          `shells: ${SHELLS.join(', ')}, e.g. gt completion bash`,
        );
      }
      ctx.io.out(completionScript(shell as Shell, program));
    });

  program
    .command('__complete', { hidden: true })
    .description(`print completion values, one a line (${VALUE_KINDS.join(', ')}); nothing outside a town`)
    .argument('<kind>', VALUE_KINDS.join(', '))
    .addHelpText('after', '\nExample:\n  gt __complete rigs')
    .action((kind: string) => {
      const values = completionValues(kind, ctx.io.cwd, ctx.io.env);
      if (values.length) ctx.io.out(`${values.join('\n')}\n`);
    });
}
