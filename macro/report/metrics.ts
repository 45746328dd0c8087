/**
 * What the macro did, as CloudWatch metrics in the Embedded Metric Format (Powertools Metrics),
 * so an organisation can see across accounts how often it runs, fails, and what it changes:
 *
 * - `Invocations`, `Failures` (Count), `Duration` (Milliseconds), and on success `Changes` and
 *   `Findings` (Count), with the `service` dimension only;
 * - `Changes` and `Findings` again per rule, one EMF document per rule that recorded something,
 *   with a `Rule` dimension (`S3-002`), so a dashboard can graph a rule across the organisation;
 * - `ColdStart` once per execution environment.
 *
 * Namespace: `POWERTOOLS_METRICS_NAMESPACE` (template.yaml sets `TapHardening`). Metrics are
 * written to stdout as log lines, which CloudWatch turns into metrics: no API call, no
 * permission. `POWERTOOLS_METRICS_DISABLED=true` turns them off (the tests do).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { countsByRule } from './log-line';
import { summarize, type Report } from './records';

let metrics: Metrics | undefined;

function instance(): Metrics {
  metrics ??= new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'TapHardening', serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'tap-hardening' });
  return metrics;
}

export interface Invocation {
  ok: boolean;
  durationMs: number;
  report?: Report;
  functionName?: string | undefined;
}

/**
 * Records one invocation and publishes its metrics. Never throws: metrics must not turn a
 * hardened template into a failed deploy.
 *
 * @example
 * recordInvocation({ ok: true, durationMs: 12.3, report: result.report, functionName: context.functionName });
 */
export function recordInvocation(invocation: Invocation): void {
  try {
    const m = instance();
    // Publishes ColdStart on the first invocation of an on-demand execution environment only.
    m.captureColdStartMetric(invocation.functionName);
    m.addMetric('Invocations', MetricUnit.Count, 1);
    m.addMetric('Failures', MetricUnit.Count, invocation.ok ? 0 : 1);
    m.addMetric('Duration', MetricUnit.Milliseconds, invocation.durationMs);
    if (invocation.report) {
      const totals = summarize(invocation.report);
      m.addMetric('Changes', MetricUnit.Count, totals.changes);
      m.addMetric('Findings', MetricUnit.Count, totals.findings);
    }
    m.publishStoredMetrics();
    if (!invocation.report) return;
    for (const [rule, counts] of Object.entries(countsByRule(invocation.report))) {
      if (!counts.changes && !counts.findings) continue;
      const single = m.singleMetric();
      single.addDimension('Rule', rule);
      // A single-metric instance publishes on each addMetric: one document per metric and rule.
      if (counts.changes) single.addMetric('Changes', MetricUnit.Count, counts.changes);
      if (counts.findings) single.addMetric('Findings', MetricUnit.Count, counts.findings);
    }
  } catch {
    // An EMF problem (a bad namespace from the environment) is not the deploy's problem.
  }
}
