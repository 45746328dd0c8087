/**
 * The connection model: who talks to whom in a template, and what each connection needs.
 * See README.md in this folder for how to add a connection kind (S3N-002 is the worked example).
 *
 * Public surface (kept stable: extend, never break):
 * - `Connection`, `SourceArn`, `Request`, `Grant` (`PolicyGrant`, `KeyGrant`, `OrderGrant`),
 *   `ConnectionKind`: the vocabulary (`types.ts`);
 * - `sourceArnOf`, `sourceCondition`, `sourceContext`, `nameText`, `ARN_SHAPES`: source ARNs built
 *   from names, with the documented fallback (`source-arn.ts`);
 * - `statementAllows`: "covers", judged for the concrete connection (`covers.ts`);
 * - `destinationsIn`, `compositeArn`: discovery (`discover.ts`); `keysOf`: the keys a value names;
 * - `applyConnection`, `recordConnection`: put the grants in and write the connections view
 *   (`apply.ts`);
 * - `CATALOGUE`: every connection kind, by id.
 *
 * @example
 * const sourceArn = sourceArnOf(ctx.model, bucket.id);
 * applyConnection(ctx, S3_NOTIFICATION_QUEUE, {
 *   kind: S3_NOTIFICATION_QUEUE.id, rule: 'S3N-002', source: bucket.id, destination: 'Jobs',
 *   path: 'Properties.NotificationConfiguration.QueueConfigurations[0].Queue',
 *   principal: 's3.amazonaws.com', sourceArn, when: [],
 * });
 */
import { CLOUDTRAIL_BUCKET } from './kinds/cloudtrail-bucket';
import { CLOUDTRAIL_BUCKET_ORDER } from './kinds/cloudtrail-bucket-order';
import { CLOUDTRAIL_BUCKET_KEY, CLOUDTRAIL_KEY } from './kinds/cloudtrail-key';
import { CLOUDTRAIL_LOGS } from './kinds/cloudtrail-logs';
import { CLOUDTRAIL_TOPIC } from './kinds/cloudtrail-topic';
import { LOGS_KEY } from './kinds/logs-key';
import { S3_NOTIFICATION_LAMBDA } from './kinds/s3-notification-lambda';
import { S3_NOTIFICATION_QUEUE } from './kinds/s3-notification-queue';
import { S3_NOTIFICATION_TOPIC } from './kinds/s3-notification-topic';
import { SNS_SUBSCRIPTION_FUNCTION } from './kinds/sns-subscription-function';
import { SNS_SUBSCRIPTION_QUEUE } from './kinds/sns-subscription-queue';
import { EVENTS_TARGET_FUNCTION } from './kinds/events-target-function';
import { EVENTS_TARGET_LOG_GROUP } from './kinds/events-target-log-group';
import { EVENTS_TARGET_QUEUE } from './kinds/events-target-queue';
import { EVENTS_TARGET_ROLE } from './kinds/events-target-role';
import { EVENTS_TARGET_TOPIC } from './kinds/events-target-topic';
import { APIGATEWAY_FUNCTION } from './kinds/apigateway-function';
import { ALARM_TOPIC_KEY } from './kinds/alarm-topic-key';
import { CLOUDFRONT_OAC_BUCKET } from './kinds/cloudfront-oac-bucket';
import { ELB_ACCESS_LOG_BUCKET, NLB_ACCESS_LOG_BUCKET, S3_ACCESS_LOG_BUCKET, VPC_FLOW_LOG_BUCKET } from './kinds/log-delivery-bucket';
import { LAMBDA_EVENT_SOURCE } from './kinds/lambda-event-source';
import { STATE_MACHINE_KEY } from './kinds/state-machine-key';
import type { ConnectionKind } from './types';

export type { Connection, ConnectionKind, Grant, KeyGrant, OrderGrant, PolicyGrant, Request, SourceArn } from './types';
export { ARN_SHAPES, hasWildcard, nameText, sourceArnOf, sourceCondition, sourceContext, type ArnShape } from './source-arn';
export { statementAllows, trustAllows } from './covers';
export { pinSourceReferences } from './rewrite';
export { compositeArn, destinationsIn, type DestinationSpec, type ExternalDestination, type FoundDestination } from './discover';
export { isSymmetricEncryptionKey, keysOf, type ExternalKey, type KeyTarget } from './keys';
export { applyConnection, recordConnection } from './apply';
export { CLOUDTRAIL_BUCKET, CLOUDTRAIL_BUCKET_KEY, CLOUDTRAIL_BUCKET_ORDER, CLOUDTRAIL_KEY, CLOUDTRAIL_LOGS, CLOUDTRAIL_TOPIC, LOGS_KEY, S3_NOTIFICATION_LAMBDA, S3_NOTIFICATION_QUEUE, S3_NOTIFICATION_TOPIC };
export { applyPermission, FUNCTION_TYPES, functionSpellings, permissionCovers, type PermissionGrant } from './permission';
export { applyRole, identityAllows as roleAllows, MANAGED_POLICIES, managedPolicyName, namesRole, rolePolicies, statementsOf, type RoleGrant, type RolePolicySource, type RoleTrust } from './role';
export { SNS_SUBSCRIPTION_FUNCTION, SNS_SUBSCRIPTION_QUEUE };
export { CLOUDFRONT_OAC_BUCKET, VPC_FLOW_LOG_BUCKET, NLB_ACCESS_LOG_BUCKET, ELB_ACCESS_LOG_BUCKET, S3_ACCESS_LOG_BUCKET, LAMBDA_EVENT_SOURCE, STATE_MACHINE_KEY };
export { EVENTS_TARGET_FUNCTION, EVENTS_TARGET_LOG_GROUP, EVENTS_TARGET_QUEUE, EVENTS_TARGET_ROLE, EVENTS_TARGET_TOPIC };
export { applyLogsPolicy, logsPolicyDocument, logsPolicyStatements, type LogsPolicyGrant } from './logs-resource-policy';
export { APIGATEWAY_FUNCTION, ALARM_TOPIC_KEY };

/** Every connection kind, in the order their rules run. A new kind adds one line here. */
export const CATALOGUE: readonly ConnectionKind[] = [
  CLOUDTRAIL_BUCKET,
  CLOUDTRAIL_BUCKET_ORDER,
  CLOUDTRAIL_KEY,
  CLOUDTRAIL_BUCKET_KEY,
  CLOUDTRAIL_TOPIC,
  CLOUDTRAIL_LOGS,
  LOGS_KEY,
  S3_NOTIFICATION_LAMBDA,
  S3_NOTIFICATION_QUEUE,
  S3_NOTIFICATION_TOPIC,
  SNS_SUBSCRIPTION_FUNCTION,
  SNS_SUBSCRIPTION_QUEUE,
  EVENTS_TARGET_FUNCTION,
  EVENTS_TARGET_QUEUE,
  EVENTS_TARGET_TOPIC,
  EVENTS_TARGET_ROLE,
  EVENTS_TARGET_LOG_GROUP,
  APIGATEWAY_FUNCTION,
  ALARM_TOPIC_KEY,
  CLOUDFRONT_OAC_BUCKET,
  VPC_FLOW_LOG_BUCKET,
  NLB_ACCESS_LOG_BUCKET,
  ELB_ACCESS_LOG_BUCKET,
  S3_ACCESS_LOG_BUCKET,
  LAMBDA_EVENT_SOURCE,
  STATE_MACHINE_KEY,
];
