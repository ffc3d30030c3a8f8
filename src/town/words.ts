// Showing an agent's command line: words joined with shell quoting only where a word needs it.
/** ["claude-glm", "--model", "glm 4"] → claude-glm --model 'glm 4'. */
export function joinCommandLine(words: readonly string[]): string {
  return words
    .map((w) => (w !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
