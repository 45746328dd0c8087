/**
 * TAG-002: tags on the types that restrict tag values more than most keep to those rules.
 *
 * The rules followed are the general tag rules of "Tagging AWS resources and Tag Editor" (Tag
 * naming limits and requirements: keys of 1 to 128 and values of 0 to 256 Unicode characters;
 * letters, numbers and spaces representable in UTF-8 and `+ - = . _ : / @`; `aws:` keys are
 * reserved; 50 tags per resource). For KMS keys, the KMS `Tag` API data type and the
 * AWS::KMS::Key resource schema give only these lengths (TagKey 1 to 128, TagValue 0 to 256) and
 * defer to the general rules; the CloudFormation reference page for the KMS key's `Tag` lists
 * letters, digits, whitespace and `_ . / = + -` only, which would forbid `:` and `@` (an owner's
 * e-mail, a cost-centre code such as `CC:1234`) that KMS accepts, so that narrower list is not
 * followed: the service and its schema win over the page. What the seed saw fail were JSON
 * strings as values (`{"team":"data"}`: `{`, `"` and `,` are outside every documented set), and
 * its remedy was to drop those tags. CloudWatch alarms: the Alarm `Tag` reference and the
 * CloudWatch API `Tag` data type give keys of 1 to 128 and values of 1 to 256 characters and no
 * character set (the seed spoke of one; the documentation wins), so only the lengths are checked
 * there, and 50 tags per alarm (TagResource).
 *
 * Expectations
 * - Skips: tags computed by an intrinsic (the whole list, one entry, or a key or value), which
 *   are left alone; a literal part of a `Fn::Sub` value that already breaks the rule is reported.
 * - Already compliant: every tag keeps to its type's rules.
 * - Fixes: a tag that breaks them is removed, and the report records its key and original value
 *   in full, so nothing is lost silently. The option `RestrictedTagValues: fail` fails the run
 *   instead, naming the tag.
 * - Fails: more tags than the type allows (which to drop is the template owner's choice).
 * Runs after TAG-001, so the tags are already a list of `{Key, Value}`.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { intrinsicName, isIntrinsic } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';

interface TagRules {
  /** Where the rules come from, for messages. */
  source: string;
  maxTags: number;
  keyLength: [number, number];
  valueLength: [number, number];
  /** Characters a value may hold, and how to say so. */
  valueChars?: { pattern: RegExp; text: string };
}

const RESTRICTED: Readonly<Record<string, TagRules>> = {
  'AWS::KMS::Key': {
    source: 'KMS',
    maxTags: 50,
    keyLength: [1, 128],
    valueLength: [0, 256],
    // "Tagging AWS resources and Tag Editor", Tag naming limits and requirements.
    valueChars: { pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: 'letters, digits, whitespace and + - = . _ : / @' },
  },
  'AWS::CloudWatch::Alarm': { source: 'CloudWatch', maxTags: 50, keyLength: [1, 128], valueLength: [1, 256] },
};

export const tagsRestrictedValues: Rule = {
  id: 'TAG-002',
  title: 'Keep tags on KMS keys and CloudWatch alarms within their tag rules',
  rationale:
    'KMS keys accept tag values of letters, digits, whitespace and + - = . _ : / @ (the general AWS tag rules), and CloudWatch alarms values of 1 to 256 characters; a tag outside those rules (a JSON string as a value, say) fails the create. Only such a tag is removed, and recorded in full in the report, or the run fails with RestrictedTagValues: fail; e-mails and codes with : or @ are kept.',
  resourceTypes: Object.keys(RESTRICTED),
  changes: Object.keys(RESTRICTED).map((type) => `${type} Properties.Tags`),
  references: [
    'https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html (Tag naming limits and requirements: letters, numbers, spaces and + - = . _ : / @; keys 1 to 128, values 0 to 256; aws: reserved)',
    'https://docs.aws.amazon.com/kms/latest/APIReference/API_Tag.html (TagKey 1 to 128, TagValue 0 to 256, no pattern)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-kms-key-tag.html (lists _ . / = + - only; not followed where KMS accepts : and @)',
    'https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html (up to 50 user-created tags per key)',
    'https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html (TagException: one or more tags are not valid)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudwatch-alarm-tag.html (Key: 1 to 128; Value: 1 to 256)',
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_TagResource.html (as many as 50 tags per resource)',
    'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Tag.html',
  ],
  settings: [
    {
      name: 'RestrictedTagValues',
      description: 'remove (default): drop a tag that breaks its type\'s rules and record it in the report; fail: fail the run instead.',
      parse(value) {
        if (value === 'remove' || value === 'fail') return value;
        throw new Error('must be "remove" or "fail"');
      },
    },
  ],
  apply(resource, ctx) {
    const rules = RESTRICTED[resource.type];
    const tags = resource.properties.Tags;
    if (rules === undefined || tags === undefined) return;
    if (!Array.isArray(tags)) {
      if (isIntrinsic(tags)) ctx.finding(resource.id, 'Properties.Tags', 'info', 'left as written: the tags are computed at deploy time, so they cannot be checked here');
      return;
    }
    if (tags.length > rules.maxTags) {
      ctx.fail(resource.id, 'Properties.Tags', `has ${tags.length} tags; ${rules.source} allows at most ${rules.maxTags} per resource: remove ${tags.length - rules.maxTags}`);
    }
    const broken: Array<{ index: number; key: Json; value: Json; why: string; hint: string }> = [];
    tags.forEach((tag, index) => {
      if (!isObject(tag) || intrinsicName(tag) !== undefined) {
        if (intrinsicName(tag) === 'Fn::If') reportBranches(resource, index, tag, rules, ctx);
        return;
      }
      const found = problem(tag.Key, tag.Value, rules);
      if (found !== undefined) broken.push({ index, key: tag.Key, value: tag.Value, ...found });
      else if (intrinsicName(tag.Value) === 'Fn::Sub') reportSubLiterals(resource, index, tag.Value, rules, ctx);
    });
    if (!broken.length) return;
    if (ctx.setting('RestrictedTagValues') === 'fail') {
      const b = broken[0];
      ctx.fail(resource.id, `Properties.Tags[${b.index}]`, `tag ${JSON.stringify(b.key)} = ${JSON.stringify(b.value)}: ${b.why}. Change or remove it (RestrictedTagValues: fail)`);
    }
    // In order; each removal moves the later entries up by one.
    broken.forEach((b, removed) => {
      ctx.remove(resource.id, ['Properties', 'Tags', b.index - removed], `tag ${JSON.stringify(b.key)} = ${JSON.stringify(b.value)}: ${b.why}`, b.hint);
    });
  },
};

/** Why a literal key or value breaks the type's rules (and what to do), or undefined when it keeps to them or is computed. */
function problem(key: Json | undefined, value: Json | undefined, rules: TagRules): { why: string; hint: string } | undefined {
  if (typeof key === 'string') {
    const [min, max] = rules.keyLength;
    const n = [...key].length;
    if (n < min || n > max) return { why: `${rules.source} tag keys are ${min} to ${max} characters, this one is ${n}`, hint: `use a key of ${min} to ${max} characters` };
    if (key.toLowerCase().startsWith('aws:')) return { why: 'tag keys starting with aws: are reserved for AWS', hint: 'use a key without the aws: prefix' };
  }
  if (typeof value === 'string') {
    const [min, max] = rules.valueLength;
    const n = [...value].length;
    if (n < min || n > max) return { why: `${rules.source} tag values are ${min} to ${max} characters, this one is ${n}`, hint: n < min ? 'give the tag a value, or drop it' : `shorten the value to ${max} characters` };
    if (rules.valueChars && !rules.valueChars.pattern.test(value)) {
      const bad = [...new Set([...value].filter((c) => !rules.valueChars?.pattern.test(c)))].join(' ');
      return { why: `${rules.source} tag values may hold only ${rules.valueChars.text}, not ${bad}`, hint: 'write the value with those characters only, or keep such data elsewhere (a parameter, the description)' };
    }
  }
  return undefined;
}

/** A tag chosen by Fn::If is left alone; a branch that would break the rules is reported. */
function reportBranches(resource: ResourceView, index: number, tag: Json, rules: TagRules, ctx: RuleContext): void {
  const args = (tag as { 'Fn::If': Json })['Fn::If'];
  if (!Array.isArray(args)) return;
  for (const branch of args.slice(1)) {
    if (!isObject(branch) || intrinsicName(branch) !== undefined) continue;
    const found = problem(branch.Key, branch.Value, rules);
    if (found !== undefined) {
      ctx.finding(resource.id, `Properties.Tags[${index}]`, 'warning', `left as written (chosen by Fn::If ${JSON.stringify(args[0])}): when chosen, tag ${JSON.stringify(branch.Key)} = ${JSON.stringify(branch.Value)} fails the create: ${found.why}`, `${found.hint}, or make that branch AWS::NoValue`);
    }
  }
}

/** A value built by Fn::Sub is left alone; literal text in it that already breaks the rules is reported. */
function reportSubLiterals(resource: ResourceView, index: number, value: Json, rules: TagRules, ctx: RuleContext): void {
  const arg = (value as { 'Fn::Sub': Json })['Fn::Sub'];
  const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
  if (text === undefined || !rules.valueChars) return;
  const literal = text.replace(/\$\{[^}]*\}/g, '');
  const bad = [...new Set([...literal].filter((c) => !rules.valueChars?.pattern.test(c)))];
  if (bad.length) {
    ctx.finding(resource.id, `Properties.Tags[${index}].Value`, 'warning', `left as written (computed by Fn::Sub), but its text holds ${bad.join(' ')}: ${rules.source} tag values may hold only ${rules.valueChars.text}, so the create will fail`, 'remove those characters from the Fn::Sub text');
  }
}
