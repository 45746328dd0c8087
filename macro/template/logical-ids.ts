/**
 * Logical ids for resources the macro adds. An id is derived from the owning resource's id and
 * the role of the new resource, never from position or a counter, so it stays the same when the
 * template is edited elsewhere and a second run finds what the first one added (the way SAM
 * names the resources it generates: a prefix plus a hash of the defining data).
 *
 * Two different owners can ask for the same id: `A` + `BCInvokePermission` and
 * `AB` + `CInvokePermission` are both `ABCInvokePermission`. Whoever asked first would get the
 * plain id, so reordering the template would swap the two resources' ids and the next deploy
 * would replace both. Instead, a contested id goes to neither: both get the hashed form, whose
 * hash covers their own owner and role (`owner/role`, with a separator, so the two differ).
 * The engine learns which ids are contested from a run's allocator (`collisions()`) and runs
 * again with them (engine/harden.ts); ids nobody else wants stay exactly as they were.
 */
import { createHash } from 'node:crypto';

/** CloudFormation logical ids: alphanumeric, at most 255 characters. */
const MAX_LENGTH = 255;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

interface Candidates {
  /** The id when it is free and uncontested (already hashed when owner + role is too long). */
  plain: string;
  /** The id derived from this owner and role alone. */
  hashed: string;
}

function candidates(ownerId: string, suffix: string): Candidates {
  const base = `${ownerId}${suffix}`.replace(/[^A-Za-z0-9]/g, '');
  const hash = shortHash(`${ownerId}/${suffix}`);
  const hashed = `${base.slice(0, MAX_LENGTH - hash.length)}${hash}`;
  return { plain: base.length <= MAX_LENGTH ? base : hashed, hashed };
}

function pick(ownerId: string, suffix: string, c: Candidates, plainAllowed: boolean, taken: (id: string) => boolean): string {
  if (plainAllowed && !taken(c.plain)) return c.plain;
  if (!taken(c.hashed)) return c.hashed;
  throw new Error(`no free logical id for ${suffix} of ${ownerId}: ${c.plain} and ${c.hashed} are both taken`);
}

/**
 * The logical id for a resource that serves `ownerId` in the role `suffix`, free in the template.
 * `taken(id)` tells whether an id is in use by something else.
 *
 * @example
 * newLogicalId('DataBucket', 'Policy', (id) => ids.has(id)); // 'DataBucketPolicy', or
 * // 'DataBucketPolicy3f9a0c1b2d' when a user's resource already has that name
 */
export function newLogicalId(ownerId: string, suffix: string, taken: (id: string) => boolean): string {
  return pick(ownerId, suffix, candidates(ownerId, suffix), true, taken);
}

/**
 * Hands out ids for one engine run and notes which plain ids more than one owner/role asked for.
 *
 * @example
 * const ids = new LogicalIdAllocator();
 * ids.allocate('A', 'BCInvokePermission', taken); // 'ABCInvokePermission'
 * ids.allocate('AB', 'CInvokePermission', taken); // hashed: the plain id is in use
 * ids.collisions(); // Set {'ABCInvokePermission'}: run again with it, and both are hashed
 * new LogicalIdAllocator(ids.collisions()).allocate('A', 'BCInvokePermission', taken); // 'ABCInvokePermission6d…'
 */
export class LogicalIdAllocator {
  private readonly wanted = new Map<string, Set<string>>();

  /** @param contested plain ids that must not be handed out (found by an earlier run's `collisions()`). */
  constructor(private readonly contested: ReadonlySet<string> = new Set()) {}

  /** The id for `suffix` of `ownerId`: as `newLogicalId`, but never a contested plain id. */
  allocate(ownerId: string, suffix: string, taken: (id: string) => boolean): string {
    const c = candidates(ownerId, suffix);
    let by = this.wanted.get(c.plain);
    if (by === undefined) this.wanted.set(c.plain, (by = new Set()));
    by.add(`${ownerId}/${suffix}`);
    return pick(ownerId, suffix, c, !this.contested.has(c.plain), taken);
  }

  /** Plain ids that two or more different owner/role pairs asked for, contested ones included. */
  collisions(): Set<string> {
    const out = new Set(this.contested);
    for (const [id, by] of this.wanted) if (by.size > 1) out.add(id);
    return out;
  }
}
