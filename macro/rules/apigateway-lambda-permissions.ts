/**
 * APIGW-004: the Lambda functions API Gateway integrates with, or calls as authorizers, let
 * API Gateway invoke them.
 *
 * CloudFormation creates a Lambda integration without checking the function's resource policy;
 * without a permission for `apigateway.amazonaws.com` every call through it answers 500
 * ("Execution failed due to configuration error: Invalid permissions on Lambda function"), and an
 * authorizer without one makes every call 500 as well. aws-cdk-lib's `LambdaIntegration`,
 * `HttpLambdaIntegration`, `WebSocketLambdaIntegration` and the Lambda authorizers add the
 * permission by construction. The connection is the catalogue's `apigateway-function` kind: an
 * `AWS::Lambda::Permission` whose `SourceArn` is the execute-api ARN ("Control access to an API
 * with IAM permissions: execute-api ARN format", API Gateway Developer Guide):
 * - REST (`AWS::ApiGateway::Method`, `Integration.Type` `AWS` or `AWS_PROXY`, `Integration.Uri`
 *   `arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/<function ARN>/invocations`
 *   by `Fn::Sub` or `Fn::Join`): `${Api}/*\/<METHOD>/<path>`, the method (`ANY` → `*`) and the
 *   path built from the `AWS::ApiGateway::Resource` chain (path parameters → `*`), any stage
 *   (also the console's test invocations); an unknown path → `${Api}/*\/<METHOD>/*`;
 * - HTTP and WebSocket (`AWS::ApiGatewayV2::Integration`, `IntegrationType` `AWS_PROXY` or `AWS`,
 *   `IntegrationUri` the function ARN or the invocations URI): per HTTP route that targets the
 *   integration, `${Api}/*\/*<route path>` (aws-cdk-lib's HttpLambdaIntegration); a WebSocket API,
 *   `$default` or no route known, `${Api}/*\/*`;
 * - authorizers (`AWS::ApiGateway::Authorizer` TOKEN/REQUEST, `AWS::ApiGatewayV2::Authorizer`
 *   REQUEST, `AuthorizerUri`): `${Api}/authorizers/${Authorizer}`.
 * No cycle: the permission refers to the API (and authorizer), nothing refers to the permission,
 * and API Gateway does not validate it at create time, so no DependsOn is added (checked by the
 * fixtures through the whole registry).
 *
 * Expectations
 * - Skips: integrations of other types, functions outside the template (recorded as skipped), an
 *   API outside the template named by something other than a parameter (reported), a function
 *   that skips APIGW-004. APIs defined in an OpenAPI `Body` are not read.
 * - Already compliant: a permission for exactly that function (any FunctionName spelling) for
 *   `apigateway.amazonaws.com` whose SourceArn matches (`${Api}/*` covers every method), or
 *   none: nothing is added.
 * - Conditions: the permission takes the method's (integration's, route's) condition when that
 *   implies the function's, else the function's when that implies it; otherwise a finding.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { applyConnection, recordConnection } from '../connections/apply';
import { APIGATEWAY_FUNCTION, APIGATEWAY_PRINCIPAL } from '../connections/kinds/apigateway-function';
import { lambdaTargetsIn, writtenAs } from '../connections/lambda-targets';
import { canonicalString, getAttParts, subVariables } from '../template/intrinsics';
import { isObject, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve, type Guard, type Resolution } from '../template/resolve';

const EXECUTE_API = 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:';
const INVOCATIONS = /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

function subText(value: Json | undefined): string | undefined {
  if (value === undefined) return undefined;
  const c = canonicalString(value);
  if (typeof c === 'string') return c.replace(/\$\{/g, '${!');
  return isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : undefined;
}

/** The function ARN inside an invocations URI (or the ARN itself), as a resolution `lambdaTargetsIn` reads. */
function functionOf(model: TemplateModel, text: string, when: Guard[]): Resolution {
  const m = INVOCATIONS.exec(text);
  const inner = m ? m[1] : text;
  const single = /^\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?\}$/.exec(inner);
  if (single && model.isResource(single[1])) return single[2] === undefined ? { kind: 'resource', id: single[1], when } : { kind: 'resource', id: single[1], attribute: single[2], when };
  const references = subVariables(inner)
    .filter((v) => model.isResource(v.name))
    .map((v) => (v.attribute === undefined ? { name: v.name, via: 'Sub' as const } : { name: v.name, attribute: v.attribute, via: 'Sub' as const }));
  return { kind: 'composite', text: inner, references, when };
}

/** Every function value a URI property can take (each `Fn::If` branch), for `lambdaTargetsIn`. */
function uriValues(ctx: RuleContext, value: Json | undefined, path: string): Array<{ path: string; resolution: Resolution }> {
  const out: Array<{ path: string; resolution: Resolution }> = [];
  for (const r of resolve(value, ctx.model)) {
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource') out.push({ path, resolution: r });
    else if (r.kind === 'composite') out.push({ path, resolution: functionOf(ctx.model, r.text, r.when) });
    else if (r.kind === 'literal' && typeof r.value === 'string') out.push({ path, resolution: functionOf(ctx.model, r.value, r.when) });
    else out.push({ path, resolution: r });
  }
  return out;
}

/** The API id as Sub text (`${Api}`), when it is a Ref to an API of the template or a parameter. */
function apiText(ctx: RuleContext, owner: string, value: Json | undefined, path: string, types: string[]): string | undefined {
  const rs = resolve(value, ctx.model);
  const r = rs.length === 1 ? rs[0] : undefined;
  if (r?.kind === 'resource' && types.includes(ctx.model.type(r.id) ?? '') && r.attribute === undefined) return `\${${r.id}}`;
  if (r?.kind === 'resource' && types.includes(ctx.model.type(r.id) ?? '') && (r.attribute === 'ApiId' || r.attribute === 'RestApiId')) return `\${${r.id}}`;
  if (r?.kind === 'parameter') return `\${${r.name}}`;
  ctx.finding(owner, path, 'warning', 'names an API that is not a Ref to an API of this template or a parameter, so the permission cannot name it: make sure the function lets apigateway.amazonaws.com invoke it for this API');
  return undefined;
}

/** `/orders/*` for the REST resource a method is on (path parameters as `*`), or undefined when it cannot be read. */
function restPath(model: TemplateModel, value: Json | undefined, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  if (isObject(value) && value['Fn::GetAtt'] !== undefined) {
    const parts = getAttParts(value['Fn::GetAtt']);
    return parts && parts[1] === 'RootResourceId' ? '' : undefined;
  }
  if (!isObject(value) || typeof value.Ref !== 'string' || model.type(value.Ref) !== 'AWS::ApiGateway::Resource') return undefined;
  const part = model.get(value.Ref, ['Properties', 'PathPart']);
  if (typeof part !== 'string') return undefined;
  const parent = restPath(model, model.get(value.Ref, ['Properties', 'ParentId']), depth + 1);
  return parent === undefined ? undefined : `${parent}/${/^\{.*\}$/.test(part) ? '*' : part}`;
}

/** A route or method path with `{param}` / `{proxy+}` segments as `*`. */
function patternPath(path: string): string {
  return path.replace(/\{[^}]*\}/g, '*');
}

function connect(ctx: RuleContext, owner: ResourceView, uri: Json | undefined, uriPath: string, arnTail: string, extra: Guard[] = []): void {
  const arn = { 'Fn::Sub': `${EXECUTE_API}${arnTail}` };
  const { found, external } = lambdaTargetsIn(ctx, owner.id, uriValues(ctx, uri, uriPath), 'API Gateway');
  for (const x of external) {
    ctx.finding(owner.id, x.path, 'info', 'names a function outside this template: its resource policy must already let apigateway.amazonaws.com invoke it');
    recordConnection(ctx, { rule: 'APIGW-004', kind: APIGATEWAY_FUNCTION.id, source: owner.id, destination: writtenAs(x.resolution), principal: APIGATEWAY_PRINCIPAL }, 'skipped', [], 'the function is outside this template');
  }
  const own: Guard[] = owner.condition !== undefined ? [{ condition: owner.condition, holds: true }] : [];
  for (const f of found) {
    applyConnection(ctx, APIGATEWAY_FUNCTION, {
      kind: APIGATEWAY_FUNCTION.id,
      rule: 'APIGW-004',
      source: owner.id,
      destination: f.id,
      path: f.path,
      principal: APIGATEWAY_PRINCIPAL,
      sourceArn: { pinned: true, arn, exact: false, spellings: [arn] },
      when: [...f.when, ...own, ...extra],
    });
  }
}

const LAMBDA_TYPES = new Set(['AWS', 'AWS_PROXY']);

function method(m: ResourceView, ctx: RuleContext): void {
  const integration = m.properties.Integration;
  if (!isObject(integration)) return;
  const type = integration.Type;
  if (typeof type !== 'string' || !LAMBDA_TYPES.has(type)) return;
  const uriText = resolve(integration.Uri, ctx.model).map((r) => (r.kind === 'composite' ? r.text : r.kind === 'literal' ? String(r.value) : ''));
  if (!uriText.some((t) => t.includes(':lambda:path/'))) return;
  const api = apiText(ctx, m.id, m.properties.RestApiId, 'Properties.RestApiId', ['AWS::ApiGateway::RestApi']);
  if (api === undefined) return;
  const verb = typeof m.properties.HttpMethod === 'string' ? (m.properties.HttpMethod.toUpperCase() === 'ANY' ? '*' : m.properties.HttpMethod.toUpperCase()) : '*';
  const path = restPath(ctx.model, m.properties.ResourceId);
  connect(ctx, m, integration.Uri, 'Properties.Integration.Uri', `${api}/*/${verb}${path === undefined ? '/*' : path === '' ? '/' : path}`);
}

function authorizer(a: ResourceView, ctx: RuleContext, v2: boolean): void {
  if (a.properties.AuthorizerUri === undefined) return;
  const api = v2 ? apiText(ctx, a.id, a.properties.ApiId, 'Properties.ApiId', ['AWS::ApiGatewayV2::Api']) : apiText(ctx, a.id, a.properties.RestApiId, 'Properties.RestApiId', ['AWS::ApiGateway::RestApi']);
  if (api === undefined) return;
  connect(ctx, a, a.properties.AuthorizerUri, 'Properties.AuthorizerUri', `${api}/authorizers/\${${a.id}}`);
}

/** The route paths that target an integration (`integrations/${Integration}`), each with its Condition. */
function routesOf(model: TemplateModel, integration: string): Array<{ id: string; key: string; condition?: string }> {
  const out: Array<{ id: string; key: string; condition?: string }> = [];
  for (const id of model.idsOfType('AWS::ApiGatewayV2::Route')) {
    const target = subText(model.get(id, ['Properties', 'Target']) as Json | undefined);
    if (target !== `integrations/\${${integration}}`) continue;
    const key = model.get(id, ['Properties', 'RouteKey']);
    const entry: { id: string; key: string; condition?: string } = { id, key: typeof key === 'string' ? key : '' };
    const condition = model.condition(id);
    if (condition !== undefined) entry.condition = condition;
    out.push(entry);
  }
  return out;
}

function v2Integration(i: ResourceView, ctx: RuleContext): void {
  const type = i.properties.IntegrationType;
  if (typeof type !== 'string' || !LAMBDA_TYPES.has(type)) return;
  const uris = resolve(i.properties.IntegrationUri, ctx.model);
  const lambda = uris.some((r) => (r.kind === 'resource' && ['AWS::Lambda::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version'].includes(ctx.model.type(r.id) ?? '')) || (r.kind === 'composite' && r.text.includes(':lambda:')) || (r.kind === 'literal' && String(r.value).includes(':lambda:')));
  if (!lambda) return;
  const api = apiText(ctx, i.id, i.properties.ApiId, 'Properties.ApiId', ['AWS::ApiGatewayV2::Api']);
  if (api === undefined) return;
  const apiId = /^\$\{([A-Za-z0-9]+)\}$/.exec(api)?.[1];
  const websocket = apiId !== undefined && ctx.model.get(apiId, ['Properties', 'ProtocolType']) === 'WEBSOCKET';
  const paths = new Set<string>();
  if (!websocket) {
    for (const route of routesOf(ctx.model, i.id)) {
      const m = /^(?:[A-Z]+|ANY) (\/\S*)$/.exec(route.key);
      paths.add(m ? `*${patternPath(m[1])}` : '*');
    }
  }
  if (paths.size === 0 || paths.has('*')) {
    connect(ctx, i, i.properties.IntegrationUri, 'Properties.IntegrationUri', `${api}/*/*`);
    return;
  }
  for (const p of [...paths].sort()) connect(ctx, i, i.properties.IntegrationUri, 'Properties.IntegrationUri', `${api}/*/${p}`);
}

export const apiGatewayLambdaPermissions: Rule = {
  id: 'APIGW-004',
  title: 'Let API Gateway invoke the Lambda functions it integrates with',
  rationale:
    'CloudFormation creates Lambda integrations and authorizers without checking the function\'s resource policy; without a permission for apigateway.amazonaws.com every call answers 500 ("Invalid permissions on Lambda function"). Each function gets a permission whose SourceArn is the execute-api ARN of that method and path, route or authorizer, unless one already allows it.',
  resourceTypes: ['AWS::ApiGateway::Method', 'AWS::ApiGateway::Authorizer', 'AWS::ApiGatewayV2::Integration', 'AWS::ApiGatewayV2::Authorizer'],
  changes: ['AWS::Lambda::Permission'],
  references: [
    ...APIGATEWAY_FUNCTION.references,
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigateway-method-integration.html (Uri: arn:aws:apigateway:region:lambda:path/2015-03-31/functions/<function ARN>/invocations for AWS and AWS_PROXY)',
  ],
  apply(resource, ctx) {
    if (resource.type === 'AWS::ApiGateway::Method') method(resource, ctx);
    else if (resource.type === 'AWS::ApiGateway::Authorizer') authorizer(resource, ctx, false);
    else if (resource.type === 'AWS::ApiGatewayV2::Authorizer') authorizer(resource, ctx, true);
    else v2Integration(resource, ctx);
  },
};

