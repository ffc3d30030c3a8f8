// POSIX shell quoting for the one shell line a pane runs: `exec env … <agent argv>`.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Quote one word for /bin/sh: single quotes, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/**
 * The script a pane runs: `exec env [-u NAME]… [K=V]… argv…`. `exec` makes the agent the pane's own process,
 * so `pane_pid` and `pane_current_command` name the agent, not a shell.
 */
export function execScript(
  argv: readonly string[],
  env: Readonly<Record<string, string>> = {},
  unset: readonly string[] = [],
): string {
  if (argv.length === 0) throw new Error('execScript: empty argv');
  const parts = ['exec', 'env'];
  for (const name of unset) {
    if (!isEnvName(name)) throw new Error(`execScript: bad variable name ${JSON.stringify(name)}`);
    parts.push('-u', name);
  }
  for (const [k, v] of Object.entries(env)) {
    if (!isEnvName(k)) throw new Error(`execScript: bad variable name ${JSON.stringify(k)}`);
    parts.push(shellQuote(`${k}=${v}`));
  }
  // env reads any leading word with '=' as another assignment, so such a program name cannot be run this way.
  if (argv[0]!.includes('=')) throw new Error(`execScript: program name ${JSON.stringify(argv[0])} contains '='`);
  for (const a of argv) parts.push(shellQuote(a));
  return parts.join(' ');
}
