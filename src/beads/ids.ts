// Bead ids: `<prefix>-<base36>` from a hash of content, creator, time and a nonce; length grows with the count.
import { usageError } from '../kernel/index.ts';

export const MIN_HASH_LENGTH = 3;
export const MAX_HASH_LENGTH = 8;
export const MAX_COLLISION_PROB = 0.25;

/** Bytes of the digest used for each id length (Beads' table). */
function bytesFor(length: number): number {
  if (length <= 3) return 2;
  if (length === 4) return 3;
  if (length <= 6) return 4;
  return 5;
}

/** The base36 hash part of an id of `length` characters for the given inputs. */
export function hashId(
  input: { title: string; description: string; creator: string; createdAtNs: bigint; nonce: number },
  length: number,
): string {
  const digest = hash64(`${input.title}|${input.description}|${input.creator}|${input.createdAtNs}|${input.nonce}`);
  const n = digest >> BigInt(64 - 8 * bytesFor(length));
  const s = n.toString(36).padStart(length, '0');
  return s.slice(s.length - length);
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 64-bit non-cryptographic hash (two multiplicative lanes with a murmur-style finaliser). Ids need spread, not
 * secrecy, and this avoids loading node:crypto, which costs more than the rest of a `bd create`.
 */
export function hash64(s: string): bigint {
  let h1 = 0x811c9dc5;
  let h2 = 0x27d4eb2f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  const a = fmix32(h1 ^ Math.imul(h2, 0x9e3779b1));
  const b = fmix32(h2 ^ Math.imul(a, 0x85ebca77));
  return (BigInt(a) << 32n) | BigInt(b);
}

/**
 * A bead's identity, set once by `bd create` and carried in its ledger line as `uid`: 64 random bits in base36. Two
 * beads that got one id in two clones differ here, so a merge keeps both instead of fusing them.
 */
export function newUid(): string {
  const r = (): number => Math.floor(Math.random() * 0x100000000);
  // `>>> 0`: a JS xor is a signed 32-bit int, and a negative half would put a '-' in the uid.
  const n = (BigInt(r()) << 32n) | BigInt((r() ^ Number(process.hrtime.bigint() & 0xffffffffn)) >>> 0);
  return n.toString(36).padStart(13, '0');
}

/** The identity of a bead written without a uid (older ledgers, other tools): its id, creation time and creator. */
export function derivedUid(b: { id: string; created_at: string; created_by: string }): string {
  return hash64(`${b.id}|${b.created_at}|${b.created_by}`).toString(36).padStart(13, '0');
}

/** Whose bead this is: its uid, or the one derived from its creation fields. */
export function identityOf(b: { id: string; created_at: string; created_by: string; uid?: string | null }): string {
  return b.uid || derivedUid(b);
}

/** A random RFC 4122 version-4 UUID from Math.random (unique enough for comment ids; no crypto module load). */
export function randomId(): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = (Math.floor(Math.random() * 4) + 8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Smallest length whose birthday-bound collision probability at `count` existing ids stays under the limit. */
export function idLengthFor(count: number): number {
  for (let len = MIN_HASH_LENGTH; len < MAX_HASH_LENGTH; len++) {
    const space = 36 ** len;
    const p = 1 - Math.exp(-(count * count) / (2 * space));
    if (p <= MAX_COLLISION_PROB) return len;
  }
  return MAX_HASH_LENGTH;
}

const PREFIX_RE = /^[a-z][a-z0-9]{0,15}$/;

export function validatePrefix(prefix: string): string {
  const p = prefix.trim().toLowerCase();
  if (!PREFIX_RE.test(p)) {
    throw usageError(
      'BD_BAD_PREFIX',
      `invalid prefix "${prefix}"`,
      'a prefix is 1–16 lowercase letters or digits starting with a letter, e.g. bd or web',
    );
  }
  return p;
}

/** A usable prefix derived from a name (a directory, a rig): lowercase letters and digits, at most 8. */
export function prefixFromName(name: string, fallback = 'bd'): string {
  const p = name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^[0-9]+/, '')
    .slice(0, 8);
  return p || fallback;
}

const ID_RE = /^[a-z][a-z0-9]*-[a-z0-9]+(\.[0-9]+)*$/;

export function looksLikeId(s: string): boolean {
  return ID_RE.test(s);
}

export function childId(parent: string, n: number): string {
  return `${parent}.${n}`;
}

export function parentOfChildId(id: string): string | undefined {
  const i = id.lastIndexOf('.');
  return i > 0 && /^\d+$/.test(id.slice(i + 1)) ? id.slice(0, i) : undefined;
}
