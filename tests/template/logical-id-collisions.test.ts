/**
 * Generated logical ids depend only on the resources they serve: when two owners' ids
 * concatenate to the same id (`A` + `BC…` and `AB` + `C…`), neither gets the plain id, so
 * reordering the template never swaps them; ids nobody else wants are as before.
 */
import fc from 'fast-check';
import { harden } from '../../macro/engine/harden';
import { LogicalIdAllocator } from '../../macro/template/logical-ids';
import type { JsonObject } from '../../macro/template/json';

const fn = (): JsonObject => ({ Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'app.handler', Role: 'arn:aws:iam::123456789012:role/fn', Code: { ZipFile: 'def handler(e, c): pass' } } });
const bucket = (name: string, target: string): JsonObject => ({
  Type: 'AWS::S3::Bucket',
  Properties: { BucketName: name, NotificationConfiguration: { LambdaConfigurations: [{ Event: 's3:ObjectCreated:*', Function: { 'Fn::GetAtt': [target, 'Arn'] } }] } },
});
const RESOURCES: Record<string, JsonObject> = {
  A: bucket('acme-a', 'BC'),
  AB: bucket('acme-ab', 'C'),
  BC: fn(),
  C: fn(),
  Solo: bucket('acme-solo', 'C'),
};

/** The generated permissions, as `id → the bucket it serves (from its SourceArn)`. */
function permissions(order: string[]): Record<string, string> {
  const template = { Resources: Object.fromEntries(order.map((id) => [id, RESOURCES[id] as JsonObject])) };
  const out = harden({ template }).template;
  const found: Record<string, string> = {};
  for (const [id, r] of Object.entries(out.Resources as Record<string, JsonObject>)) {
    if (r.Type !== 'AWS::Lambda::Permission') continue;
    found[id] = JSON.stringify((r.Properties as JsonObject).SourceArn);
  }
  return found;
}

describe('generated logical ids under collisions', () => {
  test('reordering the resources does not move any generated id', () => {
    // Act
    const forward = permissions(['A', 'AB', 'BC', 'C', 'Solo']);
    const backward = permissions(['Solo', 'C', 'BC', 'AB', 'A']);
    const shuffled = permissions(['BC', 'AB', 'Solo', 'A', 'C']);

    // Assess
    expect(backward).toEqual(forward);
    expect(shuffled).toEqual(forward);
  });

  test('any order of the resources gives the same generated ids (property)', () => {
    const reference = permissions(Object.keys(RESOURCES));
    fc.assert(
      fc.property(fc.shuffledSubarray(Object.keys(RESOURCES), { minLength: Object.keys(RESOURCES).length }), (order) => {
        expect(permissions(order)).toEqual(reference);
      }),
      { numRuns: 25 },
    );
  });

  test('both colliding permissions get a suffix of their own; an uncontested one keeps its plain id', () => {
    // Act
    const ids = Object.keys(permissions(['A', 'AB', 'BC', 'C', 'Solo'])).sort();

    // Assess: neither takes ABCInvokePermission, and the two hashed ids differ.
    expect(ids).not.toContain('ABCInvokePermission');
    const contested = ids.filter((id) => id.startsWith('ABCInvokePermission'));
    expect(contested).toHaveLength(2);
    for (const id of contested) expect(id).toMatch(/^ABCInvokePermission[0-9a-f]{10}$/);
    expect(ids).toContain('SoloCInvokePermission');
  });

  test('without a collision the ids are exactly the plain ones', () => {
    // Act
    const ids = Object.keys(permissions(['A', 'BC', 'Solo', 'C']));

    // Assess
    expect(ids.sort()).toEqual(['ABCInvokePermission', 'SoloCInvokePermission']);
  });

  test('hardening the output again adds nothing and renames nothing', () => {
    // Prepare
    const template = { Resources: RESOURCES };
    const once = harden({ template }).template;

    // Act
    const twice = harden({ template: once });

    // Assess
    expect(Object.keys(twice.template.Resources as JsonObject).sort()).toEqual(Object.keys(once.Resources as JsonObject).sort());
  });
});

describe('LogicalIdAllocator', () => {
  const free = (): boolean => false;

  test('notes a plain id that two owner/role pairs asked for, not one asked for twice by the same pair', () => {
    // Prepare
    const ids = new LogicalIdAllocator();

    // Act
    ids.allocate('A', 'BCRole', free);
    ids.allocate('AB', 'CRole', free);
    ids.allocate('X', 'Role', free);
    ids.allocate('X', 'Role', free);

    // Assess
    expect([...ids.collisions()]).toEqual(['ABCRole']);
  });

  test('a contested id is hashed from each pair alone, the same in any order', () => {
    // Prepare
    const contested = new Set(['ABCRole']);

    // Act
    const one = new LogicalIdAllocator(contested);
    const first = [one.allocate('A', 'BCRole', free), one.allocate('AB', 'CRole', free)];
    const other = new LogicalIdAllocator(contested);
    const second = [other.allocate('AB', 'CRole', free), other.allocate('A', 'BCRole', free)].reverse();

    // Assess
    expect(first).toEqual(second);
    expect(first[0]).not.toBe(first[1]);
    expect(first[0]).toMatch(/^ABCRole[0-9a-f]{10}$/);
  });
});
