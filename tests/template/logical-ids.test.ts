/**
 * Logical ids for resources the macro adds: derived from the owner's id and the new resource's
 * role, never from position or a counter, so a second run (or an edited template) finds the
 * same id; unique, alphanumeric, at most 255 characters.
 */
import { newLogicalId } from '../../macro/template/logical-ids';

const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

/** A `taken` callback for a set of ids in use. */
function takenBy(...ids: string[]): (id: string) => boolean {
  const set = new Set(ids);
  return (id) => set.has(id);
}

describe('newLogicalId', () => {
  test('is the owner id followed by the role when that id is free', () => {
    // Act
    const id = newLogicalId('Data', 'Policy', takenBy('Other', 'DataPolicyX'));

    // Assess
    expect(id).toBe('DataPolicy');
  });

  test('is stable: the same owner and role give the same id, whatever else the template holds', () => {
    // Act
    const small = newLogicalId('Data', 'Policy', takenBy());
    const large = newLogicalId('Data', 'Policy', takenBy('A', 'B', 'C', 'DataBucket', 'Policy'));

    // Assess
    expect(small).toBe('DataPolicy');
    expect(large).toBe('DataPolicy');
  });

  test('falls back to a hash of owner and role when the plain id is taken, the same on every run', () => {
    // Act
    const first = newLogicalId('Data', 'Policy', takenBy('DataPolicy'));
    const second = newLogicalId('Data', 'Policy', takenBy('DataPolicy', 'Unrelated'));

    // Assess: a fixed value, so a change to the hashing (which would rename deployed resources) fails here.
    expect(first).toBe('DataPolicy14e59d4655');
    expect(second).toBe('DataPolicy14e59d4655');
  });

  test('fails, naming both ids, when the plain and the hashed id are both taken', () => {
    // Act & Assess
    expect(() => newLogicalId('Data', 'Policy', takenBy('DataPolicy', 'DataPolicy14e59d4655'))).toThrow(
      new Error('no free logical id for Policy of Data: DataPolicy and DataPolicy14e59d4655 are both taken'),
    );
  });

  test('keeps only letters and digits', () => {
    // Act
    const plain = newLogicalId('My-Bucket_1', 'Policy', takenBy());
    const hashed = newLogicalId('My-Bucket_1', 'Policy', takenBy('MyBucket1Policy'));

    // Assess
    expect(plain).toBe('MyBucket1Policy');
    expect(hashed).toBe('MyBucket1Policy4ef788241d');
    expect(hashed).toMatch(ALPHANUMERIC);
  });

  test('owners whose ids differ only in stripped characters get different hashed ids', () => {
    // Act
    const dashed = newLogicalId('My-Bucket', 'Policy', takenBy('MyBucketPolicy'));
    const plain = newLogicalId('MyBucket', 'Policy', takenBy('MyBucketPolicy'));

    // Assess
    expect(dashed).not.toBe(plain);
    expect(dashed).toMatch(/^MyBucketPolicy[0-9a-f]{10}$/);
    expect(plain).toMatch(/^MyBucketPolicy[0-9a-f]{10}$/);
  });

  test('an id of exactly 255 characters is kept as it is', () => {
    // Prepare
    const owner = 'A'.repeat(255 - 'Policy'.length);

    // Act
    const id = newLogicalId(owner, 'Policy', takenBy());

    // Assess
    expect(id).toBe(`${owner}Policy`);
    expect(id).toHaveLength(255);
  });

  test('a longer id is cut to 255 characters, ending in a hash that keeps it unique', () => {
    // Prepare
    const owner = 'A'.repeat(300);

    // Act
    const id = newLogicalId(owner, 'Policy', takenBy());
    const sibling = newLogicalId(`${owner}B`, 'Policy', takenBy());

    // Assess
    expect(id).toBe(`${'A'.repeat(245)}7e4337a5bf`);
    expect(id).toHaveLength(255);
    expect(id).toMatch(ALPHANUMERIC);
    expect(sibling).toBe(`${'A'.repeat(245)}c061faa94e`);
  });

  test('a long id that is taken cannot fall back, and says so', () => {
    // Prepare
    const owner = 'A'.repeat(300);
    const id = `${'A'.repeat(245)}7e4337a5bf`;

    // Act & Assess
    expect(() => newLogicalId(owner, 'Policy', takenBy(id))).toThrow(`no free logical id for Policy of ${owner}: ${id} and ${id} are both taken`);
  });
});
