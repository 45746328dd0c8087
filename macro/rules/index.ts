/**
 * The ordered rule registry. Order matters where one rule's output is another's input:
 * - S3-001 and S3-003 only edit bucket properties; they run first so that later rules see the
 *   bucket as it will be deployed.
 * - S3-002 creates a bucket's one policy when it has none. Rules that add statements for
 *   services (CloudTrail, S3 notifications) run after it and extend that same policy.
 * Adding a rule: give it a new id (ids are never reused), add it here with the reason for its
 * place, and run `npm run docs`.
 */
import type { Rule } from './types';
import { s3DefaultEncryption } from './s3-default-encryption';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3TlsOnly } from './s3-tls-only';

export const RULES: readonly Rule[] = [s3PublicAccessBlock, s3DefaultEncryption, s3TlsOnly];

export type { Rule, RuleContext, ResourceView, RuleSetting } from './types';
