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
import { S3_NOTIFICATION_QUEUE } from './kinds/s3-notification-queue';
import { S3_NOTIFICATION_TOPIC } from './kinds/s3-notification-topic';
import { CLOUDFRONT_OAC_BUCKET } from './kinds/cloudfront-oac-bucket';
import { ELB_ACCESS_LOG_BUCKET, NLB_ACCESS_LOG_BUCKET, S3_ACCESS_LOG_BUCKET, VPC_FLOW_LOG_BUCKET } from './kinds/log-delivery-bucket';
import { LAMBDA_EVENT_SOURCE } from './kinds/lambda-event-source';
import { STATE_MACHINE_KEY } from './kinds/state-machine-key';
import type { ConnectionKind } from './types';

export type { Connection, ConnectionKind, Grant, KeyGrant, OrderGrant, PolicyGrant, Request, SourceArn } from './types';
export { ARN_SHAPES, hasWildcard, nameText, sourceArnOf, sourceCondition, sourceContext, type ArnShape } from './source-arn';
export { statementAllows } from './covers';
export { compositeArn, destinationsIn, type DestinationSpec, type ExternalDestination, type FoundDestination } from './discover';
export { isSymmetricEncryptionKey, keysOf, type ExternalKey, type KeyTarget } from './keys';
export { applyConnection, recordConnection } from './apply';
export { applyPermission, FUNCTION_TYPES, functionSpellings, permissionCovers, type PermissionGrant } from './permission';
export { applyRole, identityAllows, MANAGED_POLICIES, managedPolicyName, rolePolicies, type RoleGrant } from './role';
export { S3_NOTIFICATION_QUEUE, S3_NOTIFICATION_TOPIC, CLOUDFRONT_OAC_BUCKET, VPC_FLOW_LOG_BUCKET, NLB_ACCESS_LOG_BUCKET, ELB_ACCESS_LOG_BUCKET, S3_ACCESS_LOG_BUCKET, LAMBDA_EVENT_SOURCE, STATE_MACHINE_KEY };

/** Every connection kind, in the order their rules run. A new kind adds one line here. */
export const CATALOGUE: readonly ConnectionKind[] = [S3_NOTIFICATION_QUEUE, S3_NOTIFICATION_TOPIC, CLOUDFRONT_OAC_BUCKET, VPC_FLOW_LOG_BUCKET, NLB_ACCESS_LOG_BUCKET, ELB_ACCESS_LOG_BUCKET, S3_ACCESS_LOG_BUCKET, LAMBDA_EVENT_SOURCE, STATE_MACHINE_KEY];
