/**
 * Source ARNs built from names. A grant scoped by `aws:SourceArn` must not `GetAtt` the source
 * when the source has to wait for the grant (the bucket for its queue policy, the trail for its
 * bucket policy): that closes a dependency cycle. Most ARNs are a fixed pattern around the
 * resource's name (`arn:<p>:s3:::<BucketName>`, `arn:<p>:cloudtrail:<r>:<a>:trail/<TrailName>`),
 * so when the name is known without referring to the resource (a literal, a parameter, a Sub of
 * parameters and pseudo parameters) the ARN can be written without the reference. This is the
 * S3N-001 / CT-001 technique, once for every kind.
 */
import { canonicalString, isPseudoParameter, subVariables } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { partitionOf } from '../template/conditions';
import type { RuleContext } from '../rules/types';
import type { Request, SourceArn } from './types';

/** `${` in literal text written into a `Fn::Sub` string. */
function escapeSub(text: string): string {
  return text.replace(/\$\{/g, '${!');
}

/**
 * A resource's name property as `Fn::Sub` text, when it is known without referring to any
 * resource: a literal, a parameter, or a Sub/Join of literals, parameters and pseudo parameters.
 *
 * @example
 * nameText(model, 'Uploads', 'BucketName'); // '${AWS::StackName}-uploads'
 */
export function nameText(model: TemplateModel, id: string, property: string): string | undefined {
  const name = model.get(id, ['Properties', property]);
  if (name === undefined) return undefined;
  const canon = canonicalString(name);
  if (typeof canon === 'string') return escapeSub(canon);
  if (!isObject(canon) || typeof canon['Fn::Sub'] !== 'string') return undefined;
  const text = canon['Fn::Sub'];
  const known = subVariables(text).every((v) => v.attribute === undefined && v.name !== 'AWS::NoValue' && (isPseudoParameter(v.name) || model.isParameter(v.name)));
  return known ? text : undefined;
}

/**
 * True when the name, as the deploy will see it, may hold `*` or `?`: in its literal text, or in
 * the known value of a parameter it uses. Such a name is matched exactly, never as a pattern.
 */
export function hasWildcard(model: TemplateModel, text: string): boolean {
  const literal = text.replace(/\$\{![^}]*\}/g, '').replace(/\$\{[^}]*\}/g, '');
  if (/[*?]/.test(literal)) return true;
  return subVariables(text).some((v) => model.isParameter(v.name) && /[*?]/.test(model.parameterValue(v.name) ?? ''));
}

/** How one resource type's ARN is built from its name. */
export interface ArnShape {
  /** The property holding the name (`BucketName`, `TrailName`). */
  nameProperty: string;
  /** The ARN around `{name}`: `arn:${AWS::Partition}:s3:::{name}`. */
  template: string;
  /** The attribute whose value is the ARN (`Arn`), for the GetAtt spelling. */
  arnAttribute?: string;
  /** True when `Ref` gives the ARN (SNS topics; a trail's Ref is its name). */
  refIsArn?: boolean;
  /** The fallback pattern (`*` for the name), or undefined when only aws:SourceAccount can scope. */
  fallback: 'pattern' | 'account';
}

/** The ARN shapes the catalogue uses, by resource type. */
export const ARN_SHAPES: Record<string, ArnShape> = {
  'AWS::S3::Bucket': { nameProperty: 'BucketName', template: 'arn:${AWS::Partition}:s3:::{name}', arnAttribute: 'Arn', fallback: 'account' },
  'AWS::CloudTrail::Trail': { nameProperty: 'TrailName', template: 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/{name}', arnAttribute: 'Arn', fallback: 'pattern' },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', template: 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:{name}', fallback: 'pattern' },
  'AWS::SNS::Topic': { nameProperty: 'TopicName', template: 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:{name}', refIsArn: true, fallback: 'pattern' },
  'AWS::Events::Rule': { nameProperty: 'Name', template: 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/{name}', arnAttribute: 'Arn', fallback: 'pattern' },
};

/**
 * The source ARN of a resource for a grant: pinned and name-built when its name is known, else
 * the shape's documented fallback. `spellings` lists every way the template may write the same
 * ARN, so an existing statement that says `!GetAtt Uploads.Arn` is recognised.
 *
 * @example
 * sourceArnOf(model, 'Uploads');
 * // → { pinned: true, arn: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::acme-uploads' }, exact: false, spellings: [...] }
 */
export function sourceArnOf(model: TemplateModel, id: string, shape: ArnShape | undefined = ARN_SHAPES[model.type(id) ?? '']): SourceArn | undefined {
  if (shape === undefined) return undefined;
  const spellings: Json[] = [];
  if (shape.arnAttribute) spellings.push({ 'Fn::GetAtt': [id, shape.arnAttribute] });
  if (shape.refIsArn) spellings.push({ Ref: id });
  const text = nameText(model, id, shape.nameProperty);
  if (text !== undefined) {
    const arn: Json = { 'Fn::Sub': shape.template.replace('{name}', text) };
    return { pinned: true, arn: canonicalString(arn), exact: hasWildcard(model, text), spellings: [canonicalString(arn), ...spellings] };
  }
  const why = model.get(id, ['Properties', shape.nameProperty]) === undefined
    ? `${id} has no ${shape.nameProperty}`
    : `${id}'s ${shape.nameProperty} is not built from literals, parameters and pseudo parameters only`;
  const fix = `give ${id} a ${shape.nameProperty} built from literals, parameters and pseudo parameters (e.g. !Sub '\${AWS::StackName}-…') so the grant can name it`;
  const out: SourceArn = { pinned: false, spellings, why, fix };
  if (shape.fallback === 'pattern') out.pattern = { 'Fn::Sub': shape.template.replace('{name}', '*') };
  return out;
}

/**
 * The condition block that scopes a grant to its source: `aws:SourceAccount` always (service
 * principals act for every account), and `aws:SourceArn` pinned to the source (`ArnLike`, or
 * `StringEquals` for a name that must not be read as a pattern), or the fallback pattern.
 *
 * `ifExists`: the operators get `IfExists` (`StringEqualsIfExists`, `ArnLikeIfExists`), for a
 * service whose requests AWS documents with no source keys at all (CloudWatch alarms' KMS calls
 * for an encrypted topic): a request that carries the keys is held to this source, one that
 * does not still works. Narrower than the documented statement, never a silent failure.
 */
export function sourceCondition(source: SourceArn | undefined, key = 'aws:SourceArn', options: { ifExists?: boolean } = {}): Record<string, Record<string, Json>> {
  const suffix = options.ifExists === true ? 'IfExists' : '';
  const [equals, like] = [`StringEquals${suffix}`, `ArnLike${suffix}`];
  const condition: Record<string, Record<string, Json>> = { [equals]: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };
  if (source === undefined) return condition;
  if (source.pinned) {
    if (source.exact) condition[equals][key] = source.arn;
    else condition[like] = { [key]: source.arn };
  } else if (source.pattern !== undefined) {
    condition[like] = { [key]: source.pattern };
  }
  return condition;
}

/**
 * The request context keys `sourceCondition` writes, with every spelling of this source's values
 * (for `Request.context`): the account as `Ref AWS::AccountId` (and as digits when known).
 */
export function sourceContext(source: SourceArn | undefined, accountId?: string, key = 'aws:SourceArn'): Record<string, Json[]> {
  const account: Json[] = [{ Ref: 'AWS::AccountId' }];
  if (accountId !== undefined) account.push(accountId);
  const context: Record<string, Json[]> = { 'aws:SourceAccount': account };
  if (source !== undefined) context[key] = source.spellings;
  return context;
}

/**
 * A `Fn::Sub` text with the deploy's partition, Region and account written out, or undefined
 * when they are not known (the CLI without a Region and account) or something else is left to
 * substitute. A policy the template spells with literals (`arn:aws:s3:::acme-uploads`,
 * `arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/*:*`) is judged against it.
 */
export function literalText(ctx: Pick<RuleContext, 'region' | 'accountId'>, text: string): string | undefined {
  if (ctx.region === undefined || ctx.accountId === undefined) return undefined;
  const facts: Record<string, string> = { 'AWS::Partition': partitionOf(ctx.region).partition, 'AWS::Region': ctx.region, 'AWS::AccountId': ctx.accountId };
  const out = text.replace(/\$\{(AWS::(?:Partition|Region|AccountId))\}/g, (_, name: string) => facts[name]);
  return /\$\{(?!!)/.test(out) ? undefined : out.replace(/\$\{!/g, '${');
}

/** The spellings, plus each `Fn::Sub` one written out with `literalText`. */
export function withLiterals(ctx: Pick<RuleContext, 'region' | 'accountId'>, spellings: readonly Json[]): Json[] {
  const out: Json[] = [...spellings];
  for (const s of spellings) {
    const c = canonicalString(s);
    const text = isObject(c) && typeof c['Fn::Sub'] === 'string' ? literalText(ctx, c['Fn::Sub']) : undefined;
    if (text !== undefined && !out.includes(text)) out.push(text);
  }
  return out;
}

/** The request with every resource and context value also in its literal spelling (`withLiterals`). */
export function withLiteralRequest(ctx: Pick<RuleContext, 'region' | 'accountId'>, request: Request): Request {
  if (ctx.region === undefined || ctx.accountId === undefined) return request;
  const context: Request['context'] = {};
  for (const [k, v] of Object.entries(request.context)) context[k] = withLiterals(ctx, v);
  return { ...request, resources: withLiterals(ctx, request.resources), context };
}

/** A queue's ARN as its name builds it (a topic's is `ARN_SHAPES`'). */
const QUEUE_ARN: ArnShape = { nameProperty: 'QueueName', template: 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:{name}', arnAttribute: 'Arn', fallback: 'pattern' };

/**
 * The queue's or topic's ARN built from its name (`arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:ingest`),
 * when the name is built from literals, parameters and pseudo parameters; else undefined.
 */
export function destinationArnOf(model: TemplateModel, id: string): Json | undefined {
  const type = model.type(id);
  const shape = type === 'AWS::SQS::Queue' ? QUEUE_ARN : type === 'AWS::SNS::Topic' ? ARN_SHAPES[type] : undefined;
  const arn = shape === undefined ? undefined : sourceArnOf(model, id, shape);
  return arn?.pinned ? arn.arn : undefined;
}
