/**
 * A statement that pins its source by reference (`aws:SourceArn: !GetAtt Trail.Arn`) makes the
 * policy depend on the source; when the source must wait for that policy (a trail for its bucket
 * policy, a bucket for its queue policy) that is a cycle, and CloudFormation rejects the
 * template. The same ARN built from the source's name says the same thing without the
 * reference, so such a condition value is rewritten to it (the S3N-001 technique), and the
 * statement then covers the connection: nothing is appended beside it.
 */
import { canonicalString } from '../template/intrinsics';
import { canonical, isObject, type Json } from '../template/json';
import { findPolicies, type PolicyKind } from '../template/policies';
import type { RuleContext } from '../rules/types';

const DOCUMENT: Record<PolicyKind, string> = { bucket: 'PolicyDocument', queue: 'PolicyDocument', topic: 'PolicyDocument', key: 'KeyPolicy' };

/**
 * Rewrites every condition value in the target's one policy that names `source`'s ARN by
 * reference (`GetAtt source.Arn`, `${source.Arn}`) to `arn`; returns how many it rewrote.
 *
 * @example
 * pinSourceReferences(ctx, 'bucket', 'LogBucket', 'Trail', { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:…:trail/audit' });
 */
export function pinSourceReferences(ctx: RuleContext, kind: PolicyKind, target: string, source: string, arn: Json, attribute = 'Arn'): number {
  const byReference = canonical(canonicalString({ 'Fn::GetAtt': [source, attribute] }));
  let count = 0;
  for (const policy of findPolicies(ctx.model, kind, target)) {
    const docPath = ['Properties', DOCUMENT[kind]];
    const raw = ctx.model.get(policy, [...docPath, 'Statement']);
    const statements: Array<{ value: Json; path: Array<string | number> }> = Array.isArray(raw) ? raw.map((value, i) => ({ value, path: [...docPath, 'Statement', i] })) : raw !== undefined ? [{ value: raw, path: [...docPath, 'Statement'] }] : [];
    for (const { value, path } of statements) {
      if (!isObject(value) || !isObject(value.Condition)) continue;
      for (const op of Object.keys(value.Condition)) {
        const block = value.Condition[op];
        if (!isObject(block)) continue;
        for (const key of Object.keys(block)) {
          const v = block[key];
          const at = [...path, 'Condition', op, key];
          const matches = (x: Json) => canonical(canonicalString(x)) === byReference;
          if (Array.isArray(v)) {
            v.forEach((x, i) => {
              if (!matches(x)) return;
              ctx.set(policy, [...at, i], arn, `${source}'s ARN built from its name instead of a reference to ${source}, which waits for this policy (the reference would be a circular dependency)`);
              count++;
            });
          } else if (matches(v)) {
            ctx.set(policy, at, arn, `${source}'s ARN built from its name instead of a reference to ${source}, which waits for this policy (the reference would be a circular dependency)`);
            count++;
          }
        }
      }
    }
  }
  return count;
}
