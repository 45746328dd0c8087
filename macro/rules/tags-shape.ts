/**
 * TAG-001: tags are written in the shape their resource type takes, as the CloudFormation
 * resource specification gives it.
 *
 * Most types take a list of `{Key, Value}`; some take a map of keys to values
 * (`AWS::SSM::Parameter`, the SAM resources, Glue, Pinpoint, …); Auto Scaling groups take
 * `{Key, Value, PropagateAtLaunch}`. A template that mixes them up (the seed's "is not of type
 * string", cfn-lint E3012) fails at create. The shape comes from the generated spec table
 * (macro/spec), never from a hand-copied list.
 *
 * Expectations
 * - Skips: types the spec does not know (custom resources, modules), types whose tags take
 *   another shape, and a tag property computed by an intrinsic (`Fn::If` of two lists: reported).
 * - Already compliant: tags in the type's shape with unique literal keys.
 * - Fixes, when the conversion loses nothing: a map where the type takes a list becomes
 *   `[{Key, Value}, …]` in the map's order; a list where the type takes a map becomes a map; list
 *   entries written `{TagKey, TagValue}` where the type takes `{Key, Value}` (or the reverse)
 *   are renamed. Entries chosen by `Fn::If` are kept as they are. On the types where changing
 *   the tags replaces the resource (the spec says so for ~100 types), the fix is reported with
 *   the shape to write, never applied (DESIGN.md invariant 4).
 * - Fails, naming the resource and the shape the type takes: a conversion that would lose
 *   something (an `Fn::If` entry or a computed key where a map is needed, a map where an Auto
 *   Scaling group needs `PropagateAtLaunch`, an entry that is not a key/value pair) and a tag key
 *   that appears twice.
 * - Reports (warning): a tag property on a type the spec says takes no tags.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { isIntrinsic } from '../template/intrinsics';
import { isObject, setOwn, type Json, type JsonObject } from '../template/json';
import { tagPropertyNames, tagShape, type TagShape } from '../spec';

/** The two spellings of a tag entry CloudFormation types use. */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['Key', 'Value'],
  ['TagKey', 'TagValue'],
];

/** One list entry as written: a key/value pair (under either spelling), an intrinsic, or something else. */
type Entry =
  | { kind: 'pair'; key: Json; value: Json; fields: readonly [string, string]; extra: JsonObject }
  | { kind: 'intrinsic'; raw: Json }
  | { kind: 'bad'; raw: Json };

export const tagsShape: Rule = {
  id: 'TAG-001',
  title: 'Write tags in the shape their resource type takes',
  rationale:
    'Most resource types take tags as a list of {Key, Value}, some as a map of keys to values, and a template that mixes them up fails at create ("is not of type string"). The shape comes from the CloudFormation resource specification; a conversion is made only when it loses nothing, and duplicate tag keys fail.',
  resourceTypes: ['*'],
  changes: tagPropertyNames().map((name) => `* Properties.${name}`),
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html (Tag: Key and Value)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-parameter.html (Tags: a map of key-value pairs)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-autoscaling-autoscalinggroup-tagproperty.html (Key, Value, PropagateAtLaunch: all required)',
    'https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html (each tag key must be unique for a resource)',
    '@aws-cdk/aws-service-spec (tagInformation: tag property and variant; causesReplacement), generated into macro/spec',
    'aws-cdk-lib/core/lib/tag-manager.ts (StandardFormatter, MapFormatter, AsgFormatter: one tag shape per variant)',
  ],
  satisfies: ['cfn-lint E3012'],
  apply(resource, ctx) {
    const shape = tagShape(resource.type);
    if (shape === undefined) return;
    if (shape.kind === 'none') {
      if (resource.properties.Tags !== undefined) {
        ctx.finding(resource.id, 'Properties.Tags', 'warning', `${resource.type} takes no tags (CloudFormation resource specification), so CloudFormation rejects this property`, 'remove Tags, or tag the resources this one creates');
      }
      return;
    }
    if (shape.kind === 'other') return;
    const value = resource.properties[shape.property];
    if (value === undefined) return;
    const path = `Properties.${shape.property}`;
    if (isIntrinsic(value)) {
      ctx.finding(resource.id, path, 'info', 'left as written: the tags are computed at deploy time, so their shape cannot be checked here');
      return;
    }
    const wanted = shape.kind === 'map' ? convertToMap(resource, shape, value, ctx) : convertToList(resource, shape, value, ctx);
    if (wanted === undefined) return;
    if (shape.replaces) {
      ctx.finding(
        resource.id,
        path,
        'warning',
        `not converted: ${wanted.why}; changing ${shape.property} replaces ${resource.id} (the resource specification says so for ${resource.type}), so the change is left to you`,
        `write ${shape.property} as ${JSON.stringify(wanted.value)}`,
      );
      return;
    }
    ctx.set(resource.id, ['Properties', shape.property], wanted.value, `${wanted.why} (converted, nothing lost)`, `write ${shape.property} in that shape in the template`);
  },
};

/** How the type's list entries are spelled, for messages. */
function describeShape(type: string, shape: TagShape): string {
  switch (shape.kind) {
    case 'map':
      return `${type} takes tags as a map of keys to values`;
    case 'asg':
      return `${type} takes tags as a list of {Key, Value, PropagateAtLaunch}`;
    case 'list':
      return `${type} takes tags as a list of {${shape.keyField}, ${shape.valueField}}`;
    default:
      return `${type} takes tags in its own shape`;
  }
}

/** ` (it has Name, Value)`, or '' for a value that is not a mapping. */
function fieldsOf(raw: Json): string {
  return isObject(raw) ? ` (it has ${Object.keys(raw).join(', ') || 'no fields'})` : '';
}

function readEntry(raw: Json): Entry {
  if (isIntrinsic(raw)) return { kind: 'intrinsic', raw };
  if (!isObject(raw)) return { kind: 'bad', raw };
  for (const fields of PAIRS) {
    if (raw[fields[0]] === undefined || raw[fields[1]] === undefined) continue;
    const extra: JsonObject = {};
    for (const k of Object.keys(raw)) if (k !== fields[0] && k !== fields[1]) extra[k] = raw[k];
    return { kind: 'pair', key: raw[fields[0]], value: raw[fields[1]], fields, extra };
  }
  return { kind: 'bad', raw };
}

/** Fails when a literal key appears twice (tag keys are case-sensitive). */
function checkDuplicates(resource: ResourceView, path: string, keys: Json[], ctx: RuleContext): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'string') continue;
    if (seen.has(key)) ctx.fail(resource.id, path, `tag key "${key}" appears more than once: each tag key must be unique on a resource, so keep one of them`);
    seen.add(key);
  }
}

/** The list the type wants, or undefined when the value already is one; fails when converting would lose something. */
function convertToList(resource: ResourceView, shape: Extract<TagShape, { kind: 'list' | 'asg' }>, value: Json, ctx: RuleContext): { value: Json; why: string } | undefined {
  const path = `Properties.${shape.property}`;
  const expected = describeShape(resource.type, shape);
  if (isObject(value)) {
    if (shape.kind === 'asg') {
      ctx.fail(resource.id, path, `is a map, but ${expected}: PropagateAtLaunch cannot be derived from a map, so write the list with PropagateAtLaunch for each tag`);
    }
    const keys = Object.keys(value);
    return {
      value: keys.map((k) => ({ [shape.keyField]: k, [shape.valueField]: value[k] })),
      why: `was a map of ${keys.length} tag${keys.length === 1 ? '' : 's'}, but ${expected}`,
    };
  }
  if (!Array.isArray(value)) ctx.fail(resource.id, path, `is ${typeof value === 'string' ? 'a string' : `a ${typeof value}`}, but ${expected}`);
  const entries = value.map(readEntry);
  const renamed: number[] = [];
  const out = entries.map((e, i): Json => {
    if (e.kind === 'intrinsic') return e.raw;
    if (e.kind === 'bad') ctx.fail(resource.id, `${path}[${i}]`, `is not a tag${fieldsOf(e.raw)}: ${expected}`);
    if (e.kind !== 'pair') return null;
    if (e.fields[0] === shape.keyField) return value[i];
    if (shape.kind === 'list' && Object.keys(e.extra).length) {
      ctx.fail(resource.id, `${path}[${i}]`, `has ${Object.keys(e.extra).join(', ')} besides ${e.fields.join('/')}: ${expected}, and renaming would drop the rest`);
    }
    renamed.push(i);
    return { [shape.keyField]: e.key, [shape.valueField]: e.value, ...e.extra };
  });
  checkDuplicates(resource, path, entries.map((e) => (e.kind === 'pair' ? e.key : null)), ctx);
  if (!renamed.length) return undefined;
  const wrong = entries.find((e) => e.kind === 'pair' && e.fields[0] !== shape.keyField) as Extract<Entry, { kind: 'pair' }>;
  return { value: out, why: `${renamed.length} entr${renamed.length === 1 ? 'y was' : 'ies were'} written {${wrong.fields.join(', ')}}, but ${expected}` };
}

/** The map the type wants, or undefined when the value already is one; fails when converting would lose something. */
function convertToMap(resource: ResourceView, shape: Extract<TagShape, { kind: 'map' }>, value: Json, ctx: RuleContext): { value: Json; why: string } | undefined {
  const path = `Properties.${shape.property}`;
  const expected = describeShape(resource.type, shape);
  if (isObject(value)) return undefined;
  if (!Array.isArray(value)) ctx.fail(resource.id, path, `is ${typeof value === 'string' ? 'a string' : `a ${typeof value}`}, but ${expected}`);
  const out: JsonObject = {};
  const keys: Json[] = [];
  value.forEach((raw, i) => {
    const e = readEntry(raw);
    const at = `${path}[${i}]`;
    if (e.kind === 'intrinsic') ctx.fail(resource.id, at, `is chosen by ${Object.keys(raw as JsonObject)[0]}, but ${expected}, which cannot hold a conditional entry: write the map, with Fn::If on the values`);
    if (e.kind !== 'pair') ctx.fail(resource.id, at, `is not a tag${fieldsOf(raw)}: ${expected}`);
    if (typeof e.key !== 'string') ctx.fail(resource.id, at, `has a key computed at deploy time, but ${expected}, whose keys must be written out`);
    if (Object.keys(e.extra).length) ctx.fail(resource.id, at, `has ${Object.keys(e.extra).join(', ')} besides the key and value, but ${expected}, which cannot hold them`);
    keys.push(e.key);
    setOwn(out, e.key, e.value);
  });
  checkDuplicates(resource, path, keys, ctx);
  return { value: out, why: `was a list of ${keys.length} tag${keys.length === 1 ? '' : 's'}, but ${expected}` };
}
