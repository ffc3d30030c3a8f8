// How a bead's work lands, chosen by `gt sling --merge` (kept in the bead's metadata) or the rig's merge_strategy;
// read by `gt done` and the refinery.

/** mr: the refinery's queue; direct: at once, no gates; local: left on its branch; pr: through a pull request. */
export type LandingMode = 'mr' | 'direct' | 'local' | 'pr';

/** The bead's own mode when `gt sling --merge` set one, else the rig's default. */
export function mergeModeOf(
  bead: { metadata: Record<string, unknown> | null } | undefined,
  rigDefault: LandingMode = 'mr',
): LandingMode {
  const m = bead?.metadata?.merge;
  return m === 'mr' || m === 'direct' || m === 'local' || m === 'pr' ? m : rigDefault;
}
