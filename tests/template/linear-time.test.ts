/**
 * The handler fuzzer found pattern matching that took minutes on long or crafted strings; the
 * replacements run in linear (or pattern × value) time. These properties check that each one
 * answers exactly as the regex it replaced did, on short inputs where the regex is fast.
 */
import fc from 'fast-check';
import { validateTemplate } from '../../macro/engine/validate';
import { canonicalString, subVariables } from '../../macro/template/intrinsics';
import { MAX_DEPTH, tooDeep, type Json } from '../../macro/template/json';
import { wildcardMatch } from '../../macro/template/statements';

/** What statements.ts and preflight/kms.ts did before. */
function regexWildcard(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(value);
}

/** What intrinsics.ts did before. */
const SUB_VARIABLE = /\$\{([^}!][^}]*)\}/g;
function regexSubVariables(text: string): Array<{ name: string; attribute?: string }> {
  return [...text.matchAll(SUB_VARIABLE)].map((m) => {
    const raw = m[1].trim();
    const dot = raw.indexOf('.');
    return dot > 0 ? { name: raw.slice(0, dot), attribute: raw.slice(dot + 1) } : { name: raw };
  });
}
function regexCanonicalSub(text: string, vars: Record<string, string>): Json {
  const out = text.replace(SUB_VARIABLE, (whole, raw: string) => (Object.prototype.hasOwnProperty.call(vars, raw.trim()) ? vars[raw.trim()].replace(/\$\{/g, '${!') : whole));
  return regexSubVariables(out).length > 0 ? { 'Fn::Sub': out } : out.replace(/\$\{!/g, '${');
}

const from = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));

describe('wildcardMatch', () => {
  test('answers as the regex did', () => {
    fc.assert(
      fc.property(from(['a', 'B', 'b', ':', '.', '*', '?', '(', '['], 10), from(['a', 'A', 'b', ':', '.', '*', '?', '('], 10), (pattern, value) => {
        expect(wildcardMatch(pattern, value)).toBe(regexWildcard(pattern, value));
      }),
      { numRuns: 5000 },
    );
  });

  test.each([
    ['kms:GenerateDataKey*', 'kms:GenerateDataKeyWithoutPlaintext', true],
    ['KMS:generate*', 'kms:GenerateDataKey', true],
    ['s3:*', 's3:PutObject', true],
    ['*', '', true],
    ['s3:Get?', 's3:Get', false],
    ['logs:*Delivery', 'logs:CreateLogDelivery', true],
    ['logs:*Delivery', 'logs:CreateLogDeliveryX', false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  test('does not backtrack on "*?*?…*Z" against a long action', () => {
    expect(wildcardMatch(`${'*?'.repeat(5000)}*Z`, 'x'.repeat(10_000))).toBe(false);
  });
});

describe('Sub placeholders', () => {
  const subText = from(['$', '{', '}', '!', 'a', 'B', '.', ' '], 16);

  test('subVariables finds what the regex found', () => {
    fc.assert(
      fc.property(subText, (text) => expect(subVariables(text)).toEqual(regexSubVariables(text))),
      { numRuns: 5000 },
    );
  });

  test('canonicalString substitutes a Sub variable map as the regex did', () => {
    fc.assert(
      fc.property(subText, fc.dictionary(from(['a', 'B', ' '], 3), from(['$', '{', '}', 'x'], 4), { maxKeys: 3 }), (text, vars) => {
        expect(canonicalString({ 'Fn::Sub': [text, vars] })).toEqual(regexCanonicalSub(text, vars));
      }),
      { numRuns: 5000 },
    );
  });

  test('a string of 200,000 "${" has no placeholder', () => {
    expect(subVariables('${'.repeat(200_000))).toEqual([]);
    expect(canonicalString({ 'Fn::Sub': ['${'.repeat(200_000), { a: 'x' }] })).toBe('${'.repeat(200_000));
  });
});

describe('tooDeep', () => {
  const nest = (n: number): Json => {
    let v: Json = 'leaf';
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
    return v;
  };

  test('gives the path to the first container nested `limit` levels down', () => {
    expect(tooDeep({ a: [[1]] }, 2)).toEqual(['a', 0]);
    expect(tooDeep({ a: [[1]] }, 3)).toBeUndefined();
    expect(tooDeep('x', 0)).toBeUndefined();
  });

  test('walks 100,000 levels without recursion', () => {
    expect(tooDeep(nest(100_000))?.length).toBe(MAX_DEPTH);
  });

  test('validateTemplate rejects a template nested deeper than MAX_DEPTH, naming the resource and the path', () => {
    const problems = validateTemplate({ Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { Tags: nest(5000) } } } });
    expect(problems).toEqual([{ rule: 'TEMPLATE', resource: 'Data', path: 'Properties.Tags[0]…', message: `nests more than ${MAX_DEPTH} levels deep; no CloudFormation template needs that many: flatten the value` }]);
    expect(validateTemplate({ Resources: { Data: { Type: 'AWS::S3::Bucket', Properties: { Tags: nest(MAX_DEPTH - 10) } } } })).toEqual([]);
  });
});
