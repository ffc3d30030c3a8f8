// gt prime: detect the role, gather its context from the town store, render it; the session-start hook input.
export { detectRole, addressOfDirectory, type DetectedRole } from './role.ts';
export { gatherPrime, type PrimeContext, type PrimeStep } from './gather.ts';
export { renderPrime } from './render.ts';
export { parseHookInput, wantsLightPrime, type HookInput } from './hook-input.ts';
export { claimOwedPrime, owePrime } from './resume-mark.ts';
