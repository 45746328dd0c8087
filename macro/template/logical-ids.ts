/**
 * Logical ids for resources the macro adds. An id is derived from the owning resource's id and
 * the role of the new resource, never from position or a counter, so it stays the same when the
 * template is edited elsewhere and a second run finds what the first one added (the way SAM
 * names the resources it generates: a prefix plus a hash of the defining data).
 */
import { createHash } from 'node:crypto';

/** CloudFormation logical ids: alphanumeric, at most 255 characters. */
const MAX_LENGTH = 255;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
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
  const base = `${ownerId}${suffix}`.replace(/[^A-Za-z0-9]/g, '');
  const hash = shortHash(`${ownerId}/${suffix}`);
  const plain = base.length <= MAX_LENGTH ? base : `${base.slice(0, MAX_LENGTH - hash.length)}${hash}`;
  if (!taken(plain)) return plain;
  const hashed = `${base.slice(0, MAX_LENGTH - hash.length)}${hash}`;
  if (!taken(hashed)) return hashed;
  throw new Error(`no free logical id for ${suffix} of ${ownerId}: ${plain} and ${hashed} are both taken`);
}
