/**
 * What the API Gateway rules need to know about stages: whether a stage makes API Gateway write
 * to CloudWatch Logs with the account's CloudWatch role, and which API a resource belongs to.
 *
 * Sources: "Set up CloudWatch logging for REST APIs in API Gateway" and "Configure logging for
 * WebSocket APIs" (both need the account-level CloudWatch role), "Configure logging for HTTP APIs"
 * (access logs delivered with the deployer's own `logs:*Delivery` permissions, no account role),
 * "Log REST API calls to Amazon Data Firehose" (Firehose access logs use the service-linked role
 * AWSServiceRoleForAPIGateway), API Gateway Developer Guide.
 */
import { intrinsicName } from '../../template/intrinsics';
import { canonical, isObject, type Json } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { resolve } from '../../template/resolve';

/** The resources that can turn on logging for a stage (a Deployment through its StageDescription). */
export const STAGE_TYPES = ['AWS::ApiGateway::Stage', 'AWS::ApiGateway::Deployment', 'AWS::ApiGatewayV2::Stage'];

export type StageLogging =
  /** The stage logs to CloudWatch Logs (`certain`), or may, depending on deploy-time values. */
  | { kind: 'logs'; certain: boolean; reason: string }
  /** A WebSocket-or-HTTP stage that may log, whose API is not in the template. */
  | { kind: 'unknown-api'; reason: string };

type Verdict = 'yes' | 'maybe' | 'no';

interface Finding {
  verdict: Verdict;
  reason: string;
}

/**
 * Each value a property can take: `Fn::If` branches expanded (at any depth), `AWS::NoValue` as
 * undefined. Anything else is one value, intrinsic or not.
 */
export function alternatives(value: Json | undefined): Array<Json | undefined> {
  if (isObject(value)) {
    const fn = intrinsicName(value);
    if (fn === 'Fn::If') {
      const arg = value['Fn::If'];
      if (Array.isArray(arg) && arg.length === 3) return [...alternatives(arg[1]), ...alternatives(arg[2])];
    }
    if (fn === 'Ref' && value.Ref === 'AWS::NoValue') return [undefined];
  }
  return [value];
}

/** How a deploy-time value reads in a report. */
function described(value: Json): string {
  const fn = intrinsicName(value);
  if (fn === 'Ref' && isObject(value) && typeof value.Ref === 'string') return `comes from parameter ${value.Ref}`;
  if (fn === 'Fn::If' && isObject(value) && Array.isArray(value['Fn::If'])) return `depends on condition ${String(value['Fn::If'][0])}`;
  return 'is computed at deploy time';
}

/**
 * Evaluates a scalar setting in every branch. `test` says whether a known value turns logging on.
 * A branch that cannot be read at all (a parameter without a known value, an import) is "maybe".
 */
export function scalar(model: TemplateModel, value: Json | undefined, where: string, test: (text: string) => boolean): Finding {
  if (value === undefined) return { verdict: 'no', reason: '' };
  let yes = 0;
  let maybe = 0;
  let no = 0;
  let shown: string | undefined;
  for (const r of resolve(value, model)) {
    let known: string | undefined;
    if (r.kind === 'literal') known = String(r.value);
    else if (r.kind === 'parameter' && r.value !== undefined) known = r.value;
    else if (r.kind === 'no-value') {
      no++;
      continue;
    }
    if (known === undefined) maybe++;
    else if (test(known)) {
      yes++;
      shown ??= known;
    } else no++;
  }
  if (yes && !maybe && !no) return { verdict: 'yes', reason: `${where} is ${typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' ? String(value) : `${shown} (${described(value)})`}` };
  if (yes || maybe) return { verdict: 'maybe', reason: `${where} ${described(value)}` };
  return { verdict: 'no', reason: '' };
}

const isLoggingLevel = (text: string): boolean => /^(INFO|ERROR)$/i.test(text);
const isTrue = (text: string): boolean => text.toLowerCase() === 'true';

/** Where an access log goes: CloudWatch Logs needs the account's role, Firehose does not. */
function destination(model: TemplateModel, value: Json | undefined, where: string): Finding {
  if (value === undefined) return { verdict: 'no', reason: '' };
  let yes = 0;
  let maybe = 0;
  for (const r of resolve(value, model)) {
    const text = r.kind === 'literal' ? String(r.value) : r.kind === 'composite' ? r.text : r.kind === 'parameter' ? r.value : undefined;
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource') {
      const type = model.type(r.id);
      if (type === 'AWS::KinesisFirehose::DeliveryStream') continue;
      if (type === 'AWS::Logs::LogGroup') yes++;
      else maybe++;
    } else if (text !== undefined && /:firehose:/.test(text)) {
      continue;
    } else if (text !== undefined && (r.kind !== 'composite' || /:logs:/.test(text))) {
      yes++;
    } else {
      maybe++;
    }
  }
  if (yes && !maybe) return { verdict: 'yes', reason: `${where} names a CloudWatch Logs log group` };
  if (yes || maybe) return { verdict: 'maybe', reason: `${where} may name a CloudWatch Logs log group` };
  return { verdict: 'no', reason: '' };
}

/**
 * Evaluates a setting in each of its `Fn::If` branches. One branch: its own findings. Several: a
 * "yes" only when every branch logs, else "maybe" (it depends on the condition), else "no".
 */
function overAlternatives(value: Json | undefined, where: string, evaluate: (alt: Json) => Finding[]): Finding[] {
  const alts = alternatives(value);
  const results = alts.map((alt) => (alt === undefined ? { verdict: 'no' as Verdict, reason: '' } : combine(evaluate(alt))));
  if (alts.length === 1) return results;
  if (results.every((r) => r.verdict === 'yes')) return [results[0]];
  if (results.some((r) => r.verdict !== 'no')) return [{ verdict: 'maybe', reason: `${where} ${described(value as Json)}` }];
  return [];
}

/** A settings object that is an intrinsic other than Fn::If cannot be read: it may log. */
function opaque(alt: Json, where: string): Finding[] | undefined {
  return !isObject(alt) || intrinsicName(alt) !== undefined ? [{ verdict: 'maybe', reason: `${where} ${described(alt)}` }] : undefined;
}

/** LoggingLevel and DataTraceEnabled of one settings object (a MethodSetting, route settings, a StageDescription). */
function levelSettings(model: TemplateModel, value: Json | undefined, where: string): Finding[] {
  return overAlternatives(value, where, (alt) => {
    const unread = opaque(alt, where);
    if (unread || !isObject(alt)) return unread ?? [];
    return [scalar(model, alt.LoggingLevel, `${where}.LoggingLevel`, isLoggingLevel), scalar(model, alt.DataTraceEnabled, `${where}.DataTraceEnabled`, isTrue)];
  });
}

function methodSettings(model: TemplateModel, value: Json | undefined, where: string): Finding[] {
  return overAlternatives(value, where, (alt) => {
    if (!Array.isArray(alt)) return [{ verdict: 'maybe', reason: `${where} ${described(alt)}` }];
    return alt.flatMap((entry, i) => levelSettings(model, entry, `${where}[${i}]`));
  });
}

function accessLog(model: TemplateModel, value: Json | undefined, where: string): Finding[] {
  return overAlternatives(value, where, (alt) => {
    const unread = opaque(alt, where);
    if (unread || !isObject(alt)) return unread ?? [];
    return [destination(model, alt.DestinationArn, `${where}.DestinationArn`)];
  });
}

/** The findings for a REST stage's settings (a Stage's properties, or a Deployment's StageDescription). */
function restSettings(model: TemplateModel, settings: Json | undefined, prefix: string, topLevel: boolean): Finding[] {
  return overAlternatives(settings, prefix, (alt) => {
    const unread = opaque(alt, prefix);
    if (unread || !isObject(alt)) return unread ?? [];
    const at = (key: string): string => (prefix ? `${prefix}.${key}` : key);
    const out: Finding[] = [];
    if (topLevel) {
      out.push(scalar(model, alt.LoggingLevel, at('LoggingLevel'), isLoggingLevel));
      out.push(scalar(model, alt.DataTraceEnabled, at('DataTraceEnabled'), isTrue));
    }
    out.push(...methodSettings(model, alt.MethodSettings, at('MethodSettings')));
    out.push(...accessLog(model, alt.AccessLogSetting, at('AccessLogSetting')));
    return out;
  });
}

/** Route settings by route key (a V2 stage's RouteSettings). */
function routeSettings(model: TemplateModel, value: Json | undefined): Finding[] {
  return overAlternatives(value, 'RouteSettings', (alt) => {
    const unread = opaque(alt, 'RouteSettings');
    if (unread || !isObject(alt)) return unread ?? [];
    return Object.keys(alt).flatMap((route) => levelSettings(model, alt[route], `RouteSettings.${route}`));
  });
}

/** The protocol of the V2 API a stage belongs to: only WebSocket APIs log with the account's role. */
function v2Protocol(model: TemplateModel, apiId: Json | undefined): 'websocket' | 'http' | 'unknown' {
  let http = 0;
  let unknown = 0;
  for (const r of resolve(apiId, model)) {
    if (r.kind === 'no-value') continue;
    if (r.kind !== 'resource' || model.type(r.id) !== 'AWS::ApiGatewayV2::Api') {
      unknown++;
      continue;
    }
    const protocol = model.get(r.id, ['Properties', 'ProtocolType']);
    // Without ProtocolType the API is imported from an OpenAPI Body, which only HTTP APIs support.
    if (protocol === 'WEBSOCKET') return 'websocket';
    if (protocol === undefined || protocol === 'HTTP') http++;
    else unknown++;
  }
  return unknown || !http ? 'unknown' : 'http';
}

function combine(findings: Finding[]): { verdict: Verdict; reason: string } {
  const yes = findings.find((f) => f.verdict === 'yes');
  if (yes) return yes;
  const maybe = findings.find((f) => f.verdict === 'maybe');
  return maybe ?? { verdict: 'no', reason: '' };
}

/**
 * Whether a stage (an `AWS::ApiGateway::Stage`, an `AWS::ApiGateway::Deployment` with a
 * StageDescription, or a WebSocket `AWS::ApiGatewayV2::Stage`) makes API Gateway write to
 * CloudWatch Logs, which needs the account's CloudWatch role: execution logging (LoggingLevel
 * INFO or ERROR, or DataTraceEnabled) or access logging to a log group. Undefined when it does not.
 *
 * @example
 * stageLogging(model, 'ProdStage'); // { kind: 'logs', certain: true, reason: 'MethodSettings[0].LoggingLevel is INFO' }
 */
export function stageLogging(model: TemplateModel, id: string): StageLogging | undefined {
  const type = model.type(id);
  const props = model.get(id, ['Properties']);
  if (!isObject(props)) return undefined;
  let result: { verdict: Verdict; reason: string };
  if (type === 'AWS::ApiGateway::Stage') {
    result = combine(restSettings(model, props, '', false));
  } else if (type === 'AWS::ApiGateway::Deployment') {
    result = combine(restSettings(model, props.StageDescription, 'StageDescription', true));
  } else if (type === 'AWS::ApiGatewayV2::Stage') {
    result = combine([...levelSettings(model, props.DefaultRouteSettings, 'DefaultRouteSettings'), ...routeSettings(model, props.RouteSettings), ...accessLog(model, props.AccessLogSettings, 'AccessLogSettings')]);
    if (result.verdict === 'no') return undefined;
    const protocol = v2Protocol(model, props.ApiId);
    if (protocol === 'http') return undefined;
    if (protocol === 'unknown') return { kind: 'unknown-api', reason: result.reason };
  } else {
    return undefined;
  }
  if (result.verdict === 'no') return undefined;
  return { kind: 'logs', certain: result.verdict === 'yes', reason: result.reason };
}

/** The API (RestApi or V2 Api) in this template that a stage, deployment or method belongs to. */
export function apiOf(model: TemplateModel, id: string): string | undefined {
  const link = model.type(id) === 'AWS::ApiGatewayV2::Stage' ? 'ApiId' : 'RestApiId';
  return resolve(model.get(id, ['Properties', link]), model).find((r) => r.kind === 'resource')?.id;
}

/**
 * Keys naming the REST API a `RestApiId` value points at, one per branch: the RestApi's logical
 * id, or, for an API outside the template, the parameter or expression itself (two resources
 * with the same `!Ref ApiIdParameter` belong to the same API).
 */
export function restApiKeys(model: TemplateModel, value: Json | undefined): Set<string> {
  const out = new Set<string>();
  for (const r of resolve(value, model)) {
    if (r.kind === 'resource') out.add(`resource:${r.id}`);
    else if (r.kind === 'parameter') out.add(`parameter:${r.name}`);
    else if (r.kind === 'literal') out.add(`value:${String(r.value)}`);
    else if (r.kind === 'composite') out.add(`value:${r.text}`);
    else if (r.kind === 'unknown') out.add(`value:${canonical(r.value)}`);
  }
  return out;
}
