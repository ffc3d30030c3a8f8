// Git: a typed wrapper over the git command line.
export { git, repoRoot, configGet, configSet } from './git.ts';
export { identityStamp, gitUserName } from './identity.ts';
