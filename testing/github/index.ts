// The GitHub fake for tests (docs/testing.md): in-process (startFakeGitHub) or as a child process (spawnFakeGitHub).
export {
  startFakeGitHub,
  GitHubState,
  type FakeGitHub,
  type FakeGitHubOptions,
  type Delivery,
  type LoggedRequest,
} from './server.ts';
export { spawnFakeGitHub, type FakeGitHubProcess } from './spawn.ts';
