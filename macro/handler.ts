/**
 * The CloudFormation macro entry point. Thin: it reads the event, runs the engine and answers.
 * It never throws and never returns a partly hardened template: any problem is a `failure` whose
 * errorMessage lists each problem as `RULE-ID LogicalId Path: what is wrong`, which CloudFormation
 * shows in the stack events as "Transform <account>::TapHardening failed with: …".
 *
 * Event and response: "Template macros", AWS CloudFormation User Guide
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html).
 *
 * Operations (Powertools for AWS Lambda):
 * - one `hardened` (or `hardening failed`) log line per invocation, with the Lambda context
 *   (function name, request id, cold start), counts by rule and by resource, and as many records
 *   as fit under CloudWatch Logs' 256 KB event limit (report/log-line.ts);
 * - the level comes from `POWERTOOLS_LOG_LEVEL`; Lambda's own `LoggingConfig.ApplicationLogLevel`
 *   (`AWS_LAMBDA_LOG_LEVEL`) wins over it when stricter, so template.yaml sets both from one
 *   parameter. At DEBUG, one line per rule decision (the engine's debug hook; not built at all
 *   at INFO);
 * - EMF metrics (report/metrics.ts): invocations, failures, duration, and changes and
 *   findings in total and by rule.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { hardenWithPreflight, type DebugHook } from './engine/harden';
import { HardeningError } from './engine/errors';
import { recordInvocation } from './report/metrics';
import { boundedList, summarizeForLog } from './report/log-line';
import { summarize } from './report/records';
import { isObject, tooDeep, type Json } from './template/json';
import { VERSION } from './version';

export interface MacroEvent {
  region: string;
  accountId: string;
  fragment: Json;
  transformId: string;
  params: Record<string, unknown>;
  requestId: string;
  templateParameterValues: Record<string, unknown>;
}

export interface MacroResponse {
  requestId: string;
  status: 'success' | 'failure';
  fragment: Json;
  errorMessage?: string;
}

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tap-hardening', persistentKeys: { version: VERSION } });

/** CloudFormation shows the message in stack events; keep it readable there. */
const MAX_MESSAGE = 4000;

/** Event strings we log (transformId) are the caller's: bounded, so one cannot fill the line. */
const MAX_LOGGED_STRING = 512;

/** One debug line per rule decision; built only when the logger is at DEBUG (or TRACE). */
function debugHook(): DebugHook | undefined {
  const level = logger.getLevelName();
  if (level !== 'DEBUG' && level !== 'TRACE') return undefined;
  return ({ rule, resource, decision, records, reason }) => {
    const made = records ?? [];
    const outcome =
      decision === 'applied'
        ? made.length
          ? made.map((r) => `${r.action === 'finding' ? (r.severity ?? 'info') : r.action}${r.path ? ` ${r.path}` : ''}: ${r.detail}`)
          : 'no change: already compliant, or nothing this rule handles'
        : reason;
    logger.debug('rule decision', { rule, resource, decision, outcome });
  };
}

export async function handler(event: unknown, context?: Partial<Context>): Promise<MacroResponse> {
  const started = performance.now();
  // The Lambda context fields (function_name, function_request_id, cold_start, …) on every line.
  if (context?.functionName !== undefined && context.awsRequestId !== undefined) logger.addContext(context as Context);
  const ev = isObject(event) ? event : undefined;
  const requestId = typeof ev?.requestId === 'string' ? ev.requestId : '';
  const fragment: Json = ev?.fragment ?? null;
  const fail = (message: string, detail?: Record<string, unknown>): MacroResponse => {
    const errorMessage = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    const durationMs = elapsed(started);
    logger.error('hardening failed', { requestId: bounded(requestId), awsRequestId: context?.awsRequestId, errorMessage, durationMs, ...detail });
    recordInvocation({ ok: false, durationMs, functionName: context?.functionName });
    // The fragment goes back as it came, unless it nests too deep for the runtime's
    // JSON.stringify of this response (thousands of levels): then the answer would be no answer.
    return { requestId, status: 'failure', fragment: tooDeep(fragment) ? null : fragment, errorMessage };
  };
  try {
    if (!ev) return fail('1 error: EVENT - -: the macro event must be a JSON object');
    if (requestId === '') return fail(`1 error: EVENT - requestId: ${ev.requestId === undefined || ev.requestId === '' ? 'the macro event has no requestId' : `must be a string, not ${Array.isArray(ev.requestId) ? 'a list' : typeof ev.requestId}`}`);
    if (!isObject(fragment)) return fail('1 error: EVENT - fragment: the macro event has no fragment object');
    const result = await hardenWithPreflight({
      template: fragment,
      defaults: process.env.TAP_HARDENING_DEFAULTS,
      ...(typeof ev.region === 'string' ? { region: ev.region } : {}),
      ...(typeof ev.accountId === 'string' ? { accountId: ev.accountId } : {}),
      ...(isObject(ev.templateParameterValues) ? { parameterValues: ev.templateParameterValues } : {}),
      ...withDebug(),
    });
    const counts = summarize(result.report);
    const durationMs = elapsed(started);
    const line = {
      requestId: bounded(requestId),
      // Only strings from the event are logged: the logger's JSON.stringify must not meet a value
      // nested thousands of levels deep (it would throw, and turn a success into a failure).
      transformId: typeof ev.transformId === 'string' ? bounded(ev.transformId) : undefined,
      awsRequestId: context?.awsRequestId,
      mode: result.report.mode,
      rules: result.report.rules.length,
      resources: isObject(fragment.Resources) ? Object.keys(fragment.Resources).length : 0,
      ...counts,
      durationMs,
    };
    logger.info('hardened', { ...line, ...summarizeForLog(result.report, line) });
    recordInvocation({ ok: true, durationMs, report: result.report, functionName: context?.functionName });
    return { requestId, status: 'success', fragment: result.template };
  } catch (e) {
    if (e instanceof HardeningError) return fail(e.message, boundedList('problems', e.problems));
    return fail(`1 error: ENGINE - -: internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function withDebug(): { debug?: DebugHook } {
  const debug = debugHook();
  return debug ? { debug } : {};
}

function bounded(text: string): string {
  return text.length > MAX_LOGGED_STRING ? `${text.slice(0, MAX_LOGGED_STRING - 1)}…` : text;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
