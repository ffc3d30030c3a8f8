// Test support for the real Claude Code CLI: environment, prepared config dirs, starting it in tmux.
export {
  CLAUDE_BIN,
  CLAUDE_VERSION,
  claudeTestEnv,
  prepareClaudeConfigDir,
  startClaude,
  type ConfigDirOptions,
  type StartClaudeOptions,
} from './claude-env.ts';
