/**
 * The API Gateway account preflight: before the rules run, asks the account whether it already
 * has an API Gateway CloudWatch role in the stack's region (`GetAccount`), so APIGW-001 adds the
 * role and the account-wide `AWS::ApiGateway::Account` only when there is none. Every stack that
 * creates its own Account overwrites the one setting of the account and region, and the last
 * stack deleted takes it with it (aws-cdk#7140, aws-cdk#10878); aws-cdk-lib stopped creating it by
 * default for that reason (`@aws-cdk/aws-apigateway:disableCloudWatchRole`, aws-cdk PR #21546).
 *
 * The check runs only when it can matter: the template has a stage that logs (as APIGW-001
 * decides, rules/shared/apigateway.ts), no Account of its own that sets a role, and APIGW-001 is
 * on with `ApiGatewayCloudWatchRole` not false. It is bounded (apigateway-client.ts: 4 s at most)
 * and never fails a deploy: access denied, a network error, a missing client bundle or no known
 * region give `unknown`, and APIGW-001 then does what it does without the check. The client is a
 * separate bundle, loaded on first use.
 */
import path from 'node:path';
import { getOwn, isObject, type Json, type JsonObject } from '../template/json';
import { TemplateModel } from '../template/model';
import { STAGE_TYPES, stageLogging } from '../rules/shared/apigateway';
import type { AccountRead } from './apigateway-client';

/** What the account says about its API Gateway CloudWatch role in the stack's region. */
export type ApiGatewayAccountState =
  | { status: 'role-set'; roleArn: string }
  | { status: 'no-role' }
  | { status: 'unknown'; reason: string };

export type ReadAccount = (region: string) => Promise<AccountRead>;

type ClientModule = typeof import('./apigateway-client');
let loaded: ClientModule | undefined;

/**
 * The client bundle: `preflight/apigateway-client.js` next to the built handler or CLI (kept out
 * of their bundles by scripts/build.mjs), or `./apigateway-client` from the TypeScript sources.
 */
function loadClient(): ClientModule {
  if (!loaded) {
    const file = __filename.endsWith('.ts') ? path.join(__dirname, 'apigateway-client') : path.join(__dirname, 'preflight', 'apigateway-client.js');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as ClientModule;
  }
  return loaded;
}

const liveRead: ReadAccount = async (region) => {
  let client: ClientModule;
  try {
    client = loadClient();
  } catch {
    return { status: 'unavailable', message: 'the API Gateway client bundle (preflight/apigateway-client.js) is not in this build: scripts/build.mjs builds it when the API Gateway SDK client is installed' };
  }
  return client.readAccount({ region });
};

/** A template option as the engine will read it: the template's Metadata wins over the organisation defaults. */
function option(template: JsonObject, defaults: string | undefined, name: string): Json | undefined {
  const meta = getOwn(template, 'Metadata');
  const own = isObject(meta) ? getOwn(meta, 'TapHardening') : undefined;
  if (isObject(own) && getOwn(own, name) !== undefined) return getOwn(own, name);
  try {
    const parsed: unknown = defaults ? JSON.parse(defaults) : undefined;
    return isObject(parsed as Json) ? getOwn(parsed as JsonObject, name) : undefined;
  } catch {
    return undefined; // the engine reports a malformed TAP_HARDENING_DEFAULTS
  }
}

/** Whether APIGW-001 will need the account's answer for this template. */
export function needsAccountCheck(template: Json, defaults: string | undefined, parameterValues: Record<string, string> = {}): boolean {
  if (!isObject(template)) return false;
  const resources = getOwn(template, 'Resources');
  if (!isObject(resources)) return false;
  const types = Object.keys(resources).map((id) => {
    const r = resources[id];
    return isObject(r) && typeof r.Type === 'string' ? r.Type : '';
  });
  if (!types.some((t) => STAGE_TYPES.includes(t))) return false;
  const rules = option(template, defaults, 'Rules');
  if (isObject(rules) && getOwn(rules, 'APIGW-001') === false) return false;
  if (option(template, defaults, 'ApiGatewayCloudWatchRole') === false) return false;
  try {
    // Only read here: the engine makes its own copy when the rules run.
    const model = new TemplateModel(template, parameterValues, { copy: false });
    if (model.idsOfType('AWS::ApiGateway::Account').some((a) => model.get(a, ['Properties', 'CloudWatchRoleArn']) !== undefined)) return false;
    return model.idsOfType(...STAGE_TYPES).some((id) => stageLogging(model, id)?.kind === 'logs');
  } catch {
    return false; // malformed: the engine reports it
  }
}

/**
 * Asks the account (once) whether it has an API Gateway CloudWatch role in `region`, when the
 * template needs to know; undefined when it does not.
 *
 * @example
 * await apiGatewayAccountState(template, { region: 'eu-west-1' }); // { status: 'no-role' }
 */
export async function apiGatewayAccountState(
  template: Json,
  context: { region?: string; defaults?: string; parameterValues?: Record<string, string> },
  read: ReadAccount = liveRead,
): Promise<ApiGatewayAccountState | undefined> {
  if (!needsAccountCheck(template, context.defaults, context.parameterValues)) return undefined;
  if (context.region === undefined) return { status: 'unknown', reason: 'the region is not known' };
  let answer: AccountRead;
  try {
    answer = await read(context.region);
  } catch (e) {
    answer = { status: 'unavailable', message: e instanceof Error ? e.message.split('\n')[0] : String(e) };
  }
  if (answer.status !== 'ok') return { status: 'unknown', reason: answer.message };
  return answer.cloudwatchRoleArn === undefined ? { status: 'no-role' } : { status: 'role-set', roleArn: answer.cloudwatchRoleArn };
}
