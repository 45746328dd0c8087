/**
 * The CloudFormation Lambda Hook entry point: the macro's engine as a gate for stacks that do not
 * use the macro (or cannot: service-managed StackSets). Thin, like handler.ts: it reads the
 * request, fetches the template from the presigned payload URL, asks `hook/evaluate.ts` for a
 * verdict and answers. It never throws: anything that keeps it from evaluating is an
 * `InternalFailure` with a message that says what.
 *
 * Request and response: "Create Lambda functions to evaluate resources for Lambda Hooks",
 * CloudFormation Hooks User Guide. Stack operations (`targetType` STACK) and change set operations
 * (CHANGE_SET) carry `requestData.payload`, an S3 presigned URL to `{template, previousTemplate}`
 * (stacks) or `{template, changedResources}` (change sets); `template` is the template as given
 * to CloudFormation, JSON or YAML, and empty for `delete-stack`. The answer echoes
 * `clientRequestToken`; Hooks wait up to 30 seconds for it. Delete operations succeed without a
 * look: deleting a stack removes what the hook guards.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { utcDay } from './engine/options';
import { evaluateTemplate, clip, MAX_MESSAGE, type HookAnnotation } from './hook/evaluate';
import { DEFAULT_FETCH, fetchPayload, redactUrl, type FetchOptions } from './hook/fetch';
import { isObject } from './template/json';
import { VERSION } from './version';

export interface HookResponse {
  hookStatus: 'SUCCESS' | 'FAILED' | 'IN_PROGRESS';
  errorCode?: 'NonCompliant' | 'InternalFailure';
  message: string;
  clientRequestToken: string;
  annotations?: HookAnnotation[];
}

export interface HookDependencies {
  /** Bounds and agent of the payload fetch (tests pass an agent trusting their CA). */
  fetch?: Partial<FetchOptions>;
  /** The clock, for Skip expiry. */
  now?: () => Date;
  /** The environment to read settings from; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tap-hardening-hook', persistentKeys: { version: VERSION } });

/** Time kept back from the Lambda's remaining time, for the engine and the answer. */
const RESERVE_MS = 8_000;
const INVOCATION_POINTS = ['CREATE_PRE_PROVISION', 'UPDATE_PRE_PROVISION', 'DELETE_PRE_PROVISION'];

/**
 * Builds the hook handler; `handler` below is the one Lambda runs.
 *
 * @example
 * const answer = await createHookHandler({ fetch: { agent } })(event, context);
 */
export function createHookHandler(deps: HookDependencies = {}): (event: unknown, context?: Partial<Context>) => Promise<HookResponse> {
  return async (event, context) => {
    const started = performance.now();
    const ev = isObject(event) ? event : undefined;
    // The guide's stack and change set input shapes spell it `clientRequesttoken`; its examples `clientRequestToken`.
    const rawToken = ev?.clientRequestToken ?? ev?.clientRequesttoken;
    const clientRequestToken = typeof rawToken === 'string' ? rawToken : '';
    const answer = (response: Omit<HookResponse, 'clientRequestToken'>, detail: Record<string, unknown> = {}): HookResponse => {
      const out: HookResponse = { ...response, message: clip(response.message, MAX_MESSAGE), clientRequestToken };
      const log = { clientRequestToken, awsRequestId: context?.awsRequestId, hookStatus: out.hookStatus, errorCode: out.errorCode, message: out.message, durationMs: Math.round((performance.now() - started) * 100) / 100, ...detail };
      if (out.errorCode === 'InternalFailure') logger.error('hook could not evaluate', log);
      else logger.info('hook evaluated', log);
      return out;
    };
    const internal = (message: string, detail?: Record<string, unknown>): HookResponse => answer({ hookStatus: 'FAILED', errorCode: 'InternalFailure', message: `TapHardening hook: ${message}` }, detail);
    try {
      if (!ev) return internal('the hook request must be a JSON object');
      if (clientRequestToken === '') return internal('the hook request has no clientRequestToken');
      const point = ev.actionInvocationPoint;
      if (typeof point !== 'string' || !INVOCATION_POINTS.includes(point)) return internal(`actionInvocationPoint must be one of ${INVOCATION_POINTS.join(', ')}, not ${JSON.stringify(point ?? null)}`);
      if (point === 'DELETE_PRE_PROVISION') return answer({ hookStatus: 'SUCCESS', message: 'TapHardening: delete operations are not evaluated.' });
      const data = isObject(ev.requestData) ? ev.requestData : undefined;
      // A gate must not pass what it cannot read: only a well-formed request for another target is let through.
      if (!data) return internal('requestData must be an object with a targetType (STACK or CHANGE_SET)');
      const targetType = data.targetType;
      if (typeof targetType !== 'string') return internal(`requestData.targetType must be a string (STACK or CHANGE_SET), not ${JSON.stringify(targetType ?? null)}`);
      if (targetType !== 'STACK' && targetType !== 'CHANGE_SET') {
        // Configured for RESOURCE or CLOUD_CONTROL targets by mistake: a template is what it judges.
        return answer({ hookStatus: 'SUCCESS', message: `TapHardening: only STACK and CHANGE_SET operations are evaluated, not ${targetType}.` });
      }
      const url = data.payload;
      if (typeof url !== 'string' || url === '') return internal(`requestData.payload must be the presigned URL of the ${targetType === 'STACK' ? 'stack' : 'change set'} payload`);

      const env = deps.env ?? process.env;
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
      const options: FetchOptions = { ...DEFAULT_FETCH, ...deps.fetch };
      options.timeoutMs = Math.min(options.timeoutMs, Math.max(1_000, remaining - RESERVE_MS));
      let text: string;
      try {
        text = await fetchPayload(url, options);
      } catch (e) {
        return internal(e instanceof Error ? e.message : String(e), { payload: redactUrl(url) });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch (e) {
        return internal(`the payload at ${redactUrl(url)} is not JSON: ${(e as Error).message}`);
      }
      const template = isObject(payload) ? payload.template : undefined;
      if (typeof template !== 'string' || template.trim() === '') return internal(`the payload at ${redactUrl(url)} holds no template to evaluate`);

      const stackId = typeof ev.stackId === 'string' ? ev.stackId : typeof ev.stackID === 'string' ? ev.stackID : '';
      const region = /^arn:[^:]+:cloudformation:([^:]+):/.exec(stackId)?.[1];
      const verdict = evaluateTemplate(template, {
        macroName: env.TAP_HARDENING_MACRO_NAME || 'TapHardening',
        ...(env.TAP_HARDENING_DEFAULTS !== undefined ? { defaults: env.TAP_HARDENING_DEFAULTS } : {}),
        ...(region ? { region } : {}),
        ...(typeof ev.awsAccountId === 'string' ? { accountId: ev.awsAccountId } : {}),
        today: utcDay((deps.now ?? (() => new Date()))()),
        ...(env.TAP_HARDENING_DOCS_URL?.startsWith('https://') ? { docsUrl: env.TAP_HARDENING_DOCS_URL } : {}),
      });
      const detail = { stackId, targetType, actionInvocationPoint: point, templateBytes: Buffer.byteLength(template), ...verdict.counts };
      if (verdict.internal) return internal(verdict.message.replace(/^TapHardening /, ''), detail);
      const annotations = verdict.annotations.length ? { annotations: verdict.annotations } : {};
      return verdict.compliant
        ? answer({ hookStatus: 'SUCCESS', message: verdict.message, ...annotations }, detail)
        : answer({ hookStatus: 'FAILED', errorCode: 'NonCompliant', message: verdict.message, ...annotations }, detail);
    } catch (e) {
      return internal(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}

export const handler = createHookHandler();
