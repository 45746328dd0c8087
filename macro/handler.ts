/**
 * The CloudFormation macro entry point. Thin: it reads the event, runs the engine and answers.
 * It never throws and never returns a partly hardened template: any problem is a `failure` whose
 * errorMessage lists each problem as `RULE-ID LogicalId Path: what is wrong`, which CloudFormation
 * shows in the stack events as "Transform <account>::TapHardening failed with: …".
 *
 * Event and response: "Template macros", AWS CloudFormation User Guide
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { hardenWithPreflight } from './engine/harden';
import { HardeningError } from './engine/errors';
import { summarize } from './report/records';
import { problemsForLog, recordsForLog } from './report/log-line';
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

export async function handler(event: unknown, context?: Partial<Context>): Promise<MacroResponse> {
  const started = performance.now();
  const ev = isObject(event) ? event : undefined;
  const requestId = typeof ev?.requestId === 'string' ? ev.requestId : '';
  const fragment: Json = ev?.fragment ?? null;
  const fail = (message: string, detail?: { problems: readonly unknown[] }): MacroResponse => {
    const errorMessage = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
    const entry = { requestId, awsRequestId: context?.awsRequestId, errorMessage, durationMs: elapsed(started) };
    logger.error('hardening failed', { ...entry, ...(detail?.problems ? problemsForLog(detail.problems, entry) : {}) });
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
    });
    const counts = summarize(result.report);
    const entry = {
      requestId,
      // Only strings from the event are logged: the logger's JSON.stringify must not meet a value
      // nested thousands of levels deep (it would throw, and turn a success into a failure).
      transformId: typeof ev.transformId === 'string' ? ev.transformId : undefined,
      awsRequestId: context?.awsRequestId,
      mode: result.report.mode,
      rules: result.report.rules.length,
      resources: isObject(fragment.Resources) ? Object.keys(fragment.Resources).length : 0,
      ...counts,
      durationMs: elapsed(started),
    };
    // One CloudWatch Logs event holds 256 KB: records beyond that are counted, not written.
    logger.info('hardened', { ...entry, ...recordsForLog(result.report.records, entry) });
    return { requestId, status: 'success', fragment: result.template };
  } catch (e) {
    if (e instanceof HardeningError) return fail(e.message, { problems: e.problems });
    return fail(`1 error: ENGINE - -: internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
