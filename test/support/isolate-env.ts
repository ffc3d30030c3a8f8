// Vitest setup file: every test file starts without the caller's Gas Town, Beads, git or tmux settings, so a test run
// inside an agent's session (GT_ROOT, BD_ACTOR), a git hook (GIT_DIR) or a tmux pane (TMUX) behaves as on CI.
const OWN = /^(GT_|BD_|BEADS_|GIT_|TMUX)/;

for (const key of Object.keys(process.env)) {
  if (OWN.test(key)) delete process.env[key];
}
