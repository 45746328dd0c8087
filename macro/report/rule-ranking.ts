/**
 * How code scanning should rank each rule's alerts: GitHub reads `security-severity` (a CVSS-like
 * score, 0.1–10: 9.0+ critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low) and `tags` from a
 * SARIF rule descriptor's `properties` ("SARIF support for code scanning", GitHub Docs,
 * reportingDescriptor object). Only rules tagged `security` are ranked as security alerts.
 *
 * The score is the rule's worst case, what an attacker or an outage gets when the template ships
 * as written: exposure of data first (a bucket that can be made public, credentials in the
 * template), then confidentiality and integrity controls (TLS, encryption at rest, key rotation,
 * data kept on delete), then audit. Rules that prevent a failed deployment (ordering, policies a
 * service needs to start, tag shapes) are `reliability`: they carry a low score so the alerts are
 * listed, but below every security finding.
 */

export interface RuleRanking {
  /** `security-severity`, a decimal string as GitHub expects it. */
  securitySeverity: string;
  tags: string[];
}

const SECURITY: Record<string, number> = {
  // Data reachable by anyone: Security Hub S3.8 and RDS.2 are rated HIGH / CRITICAL.
  'S3-001': 8.2,
  'RDS-001': 8.0,
  // Data in transit and at rest.
  'S3-002': 5.9,
  'S3-003': 5.3,
  'KMS-001': 4.0,
  // Data lost on a delete or replacement.
  'DATA-001': 4.5,
  'DATA-002': 4.0,
  // Audit trails that do not reach their bucket, key or log group.
  'CT-001': 4.3,
  'CT-002': 4.3,
  'CT-003': 4.3,
  'APIGW-001': 3.1,
  'APIGW-002': 3.1,
  'SFN-001': 3.1,
  'LOGS-001': 3.1,
};

/** Reliability rules (and any rule without a score) are ranked low, below every security rule. */
const RELIABILITY_SCORE = 2.0;

/** The ranking of a rule id (`S3-002`), by its score above or the reliability default. */
export function ruleRanking(id: string): RuleRanking {
  const family = id.replace(/-\d+$/, '').toLowerCase();
  const score = SECURITY[id];
  if (score !== undefined) return { securitySeverity: score.toFixed(1), tags: ['security', 'cloudformation', family] };
  return { securitySeverity: RELIABILITY_SCORE.toFixed(1), tags: ['reliability', 'cloudformation', family] };
}
