/**
 * The model keeps dependency edges, reference counts, id lists and policy links up to date as
 * rules write (so that no write walks a whole resource again). Whatever the sequence of writes,
 * removals and additions, what it answers must equal what a model built afresh from the same
 * document answers. `FC_RUNS=20000 npx jest tests/template/model-cache` runs many more cases.
 */
import fc from 'fast-check';
import { danglingReferences, TemplateModel } from '../../macro/template/model';
import { findPolicies } from '../../macro/template/policies';
import { deepClone, type Json, type JsonObject } from '../../macro/template/json';
import { template } from '../support/arbitraries';

const RUNS = Number(process.env.FC_RUNS ?? 1000);

/** Values a write can put in: literals, references to existing or missing names, nested mixes. */
function valueFor(ids: string[]): fc.Arbitrary<Json> {
  const name = fc.oneof(fc.constantFrom(...ids), fc.constantFrom('Missing', 'Env', 'AWS::Region', 'Later0', 'Later1'));
  const leaf: fc.Arbitrary<Json> = fc.oneof(
    fc.constant('literal'),
    fc.integer(),
    name.map((n): Json => ({ Ref: n })),
    name.map((n): Json => ({ 'Fn::GetAtt': [n, 'Arn'] })),
    name.map((n): Json => ({ 'Fn::Sub': `arn:\${AWS::Partition}:x:::\${${n}}/\${${n}.Arn}` })),
    name.map((n): Json => ({ 'Fn::If': ['IsProd', { Ref: n }, { Ref: 'AWS::NoValue' }] })),
  );
  return fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('A', 'B', 'Statement'), leaf, { maxKeys: 2 }));
}

type Op =
  | { kind: 'set'; at: number; path: Array<string | number>; value: Json }
  | { kind: 'remove'; at: number; path: Array<string | number> }
  | { kind: 'dependsOn'; at: number; to: number }
  | { kind: 'add'; at: number; value: Json };

function ops(ids: string[]): fc.Arbitrary<Op[]> {
  const path = fc.oneof(
    fc.constantFrom<Array<string | number>>(['Properties', 'A'], ['Properties', 'B'], ['Properties', 'A', 'Inner'], ['Properties'], ['Metadata', 'Note'], ['UpdatePolicy']),
    fc.constant<Array<string | number>>(['Properties', 'Bucket']),
  );
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), path, value: valueFor(ids) }),
    fc.record({ kind: fc.constant('remove' as const), at: fc.nat(), path }),
    fc.record({ kind: fc.constant('dependsOn' as const), at: fc.nat(), to: fc.nat() }),
    fc.record({ kind: fc.constant('add' as const), at: fc.nat(), value: valueFor(ids) }),
  );
  return fc.array(op, { maxLength: 12 });
}

test('cached edges, dangling names, ids and policy links equal a fresh model after any sequence of writes', () => {
  fc.assert(
    fc.property(
      template(8).filter((t) => Object.keys(t.Resources as JsonObject).length > 0).chain((t) => {
        const ids = Object.keys(t.Resources as JsonObject);
        return fc.tuple(fc.constant(t), ops(ids));
      }),
      ([t, sequence]) => {
        // Prepare: a model whose caches are warm before the writes.
        const model = new TemplateModel(t);
        const warm = (m: TemplateModel) => {
          for (const id of m.ids()) {
            m.edges(id);
            m.namesResolve(id);
            if (m.type(id) === 'AWS::S3::Bucket') findPolicies(m, 'bucket', id);
          }
        };
        warm(model);
        let added = 0;
        // Act
        for (const o of sequence) {
          const ids = model.ids();
          const id = ids[o.at % ids.length];
          try {
            if (o.kind === 'set') model.set(id, o.path, deepClone(o.value));
            else if (o.kind === 'remove') model.remove(id, o.path);
            else if (o.kind === 'dependsOn') model.set(id, ['DependsOn'], [ids[o.to % ids.length]]);
            else model.addResource(`Later${added++}`, { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: deepClone(o.value), PolicyDocument: { Statement: [] } } });
          } catch {
            // A write the model refuses (into an intrinsic, a list) leaves it as it was.
          }
          warm(model);
        }
        // Assess
        const fresh = new TemplateModel(deepClone(model.doc));
        expect(model.ids()).toEqual(fresh.ids());
        for (const id of fresh.ids()) {
          expect([...model.edges(id)].sort()).toEqual([...fresh.edges(id)].sort());
          const dangling = ['Properties', 'UpdatePolicy', 'CreationPolicy'].flatMap((k) => danglingReferences(fresh, fresh.resource(id)?.[k]));
          // namesResolve may say no when a name dangles elsewhere in the resource; it never says yes wrongly.
          if (model.namesResolve(id)) expect(dangling).toEqual([]);
          expect(model.namesResolve(id)).toBe(fresh.namesResolve(id));
          if (fresh.type(id) === 'AWS::S3::Bucket') expect(findPolicies(model, 'bucket', id)).toEqual(findPolicies(fresh, 'bucket', id));
        }
        for (const type of ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::SNS::Topic']) expect(model.idsOfType(type)).toEqual(fresh.idsOfType(type));
        expect(model.idsOfType('AWS::SQS::Queue', 'AWS::S3::Bucket')).toEqual(fresh.idsOfType('AWS::SQS::Queue', 'AWS::S3::Bucket'));
      },
    ),
    { numRuns: RUNS },
  );
}, Math.max(60_000, RUNS * 10));
