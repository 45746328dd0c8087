/**
 * The ordered rule registry. Order matters where one rule's output is another's input:
 * - REGION-001 and PARAM-001 look at the template as a whole (the deploy's region, naming
 *   parameters) and may fail the run: they come first, so a deploy to the wrong region or with an
 *   unsafe name fails fast, before any other rule's work.
 * - DEP-001 removes DependsOn edges to resources that may not exist; it runs before every rule
 *   that adds edges, so their cycle and condition checks see the template without the invalid
 *   edges (and its removals never touch an edge another rule wrote).
 * - TAG-001 puts tags in the shape their type takes, and TAG-002 (which reads them as a list of
 *   {Key, Value}, so it follows TAG-001) drops the values KMS keys and alarms reject: both edit
 *   only tags, and run before the rules that create resources, which write their own tags right.
 * - S3-001 and S3-003 only edit bucket properties; they run first so that later rules see the
 *   bucket as it will be deployed.
 * - S3-002 creates a bucket's one policy when it has none. Rules that add statements for
 *   services (CloudTrail, S3 notifications) run after it and extend that same policy.
 * - CT-001 adds the trail's statements to the bucket policy; CT-002 then orders the trail after
 *   that policy, so it must follow CT-001 (which may have created the policy).
 * - CT-003 and LOGS-001 add service statements to key policies; KMS-001 only sets a property of
 *   the key, so its place among them does not matter.
 * - S3N-001 and S3N-002 add DependsOn edges from buckets to Lambda permissions and queue/topic
 *   policies; they run after every rule that edits buckets or adds policy statements, so the
 *   cycle check of each edge sees the references those rules wrote.
 * - S3N-002 follows S3N-001 only because the issue lists them so: they touch different resources.
 * - CF-001 adds CloudFront's statements to origin bucket policies and their keys: after S3-002
 *   (which may have created the bucket's one policy) and S3-003 (which may have set the bucket's
 *   default encryption, whose key gets the decrypt statement). It adds no DependsOn edge.
 * - LOGD-001 adds the log-delivery statements to log buckets' policies and their keys, and makes
 *   flow logs and load balancers depend on those policies: after S3-002 (which may have created
 *   the bucket's one policy, which it extends) and S3-003 (which sets the log bucket's encryption).
 * - ESM-001 adds event-source read permissions to function roles and orders mappings after
 *   their roles: it reads queue, stream and table keys that earlier rules never change, and writes
 *   only roles and mapping DependsOn, so it runs with the other connection rules.
 * - APIGW-001 adds the AWS::ApiGateway::Account (and its role) that APIGW-002 then orders every
 *   logging stage after, so it must come first.
 * - APIGW-003 orders deployments after their methods; it reads nothing the APIGW rules write, and
 *   follows them only to keep the API Gateway rules together.
 * - SFN-001 edits only state machine roles (and state machine DependsOn), which no other rule
 *   touches: it runs with the other independent rules, before DDB-001.
 * - SFN-002 adds key grants to state machine roles and the log-delivery statement to their keys;
 *   it follows SFN-001 only to keep the Step Functions rules together (they write different
 *   inline policies of the same role).
 * - DDB-001 touches only scalable targets, which no other rule reads or writes.
 * - DATA-001 adds DeletionPolicy / UpdateReplacePolicy to stateful resources; it runs at the end
 *   with the other data-retention rules, so it also covers the resources other rules created.
 * - DATA-002 (bucket versioning, table point-in-time recovery) runs with the data-retention
 *   rules at the end, so it also sees the buckets and tables other rules may create.
 * - RDS-001 only reports (or fails with Strict): it reads nothing other rules write, and runs
 *   last so its findings close the report.
 * Adding a rule: give it a new id (ids are never reused), add it here with the reason for its
 * place, and run `npm run docs`.
 */
import type { Rule } from './types';
import { apiGatewayAccountRole } from './apigateway-account-role';
import { apiGatewayDeploymentAfterMethods } from './apigateway-deployment-after-methods';
import { apiGatewayStageAfterAccount } from './apigateway-stage-after-account';
import { cloudFrontOriginAccessControl } from './cloudfront-origin-access-control';
import { cloudFormationConditionalDependsOn } from './cloudformation-conditional-depends-on';
import { cloudFormationExpectedRegions } from './cloudformation-expected-regions';
import { cloudFormationNamingParameters } from './cloudformation-naming-parameters';
import { cloudTrailBucketPolicy } from './cloudtrail-bucket-policy';
import { cloudTrailAfterBucketPolicy } from './cloudtrail-depends-on-policy';
import { cloudTrailKeyPolicy } from './cloudtrail-key-policy';
import { dataRetainStateful } from './data-retain-stateful';
import { dataVersioningPitr } from './data-versioning-pitr';
import { dynamoDbScalableTargets } from './dynamodb-scalable-targets';
import { kmsKeyRotation } from './kms-key-rotation';
import { lambdaEventSourceMapping } from './lambda-event-source-mapping';
import { logDeliveryBucketPolicy } from './log-delivery-bucket-policy';
import { logsKeyPolicy } from './logs-key-policy';
import { rdsBootstrapFindings } from './rds-bootstrap-findings';
import { s3DefaultEncryption } from './s3-default-encryption';
import { s3LambdaNotifications } from './s3-lambda-notifications';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3QueueTopicNotifications } from './s3-queue-topic-notifications';
import { s3TlsOnly } from './s3-tls-only';
import { stepFunctionsCustomerManagedKey } from './stepfunctions-customer-managed-key';
import { stepFunctionsLogDelivery } from './stepfunctions-log-delivery';
import { tagsRestrictedValues } from './tags-restricted-values';
import { tagsShape } from './tags-shape';

export const RULES: readonly Rule[] = [
  cloudFormationExpectedRegions,
  cloudFormationNamingParameters,
  cloudFormationConditionalDependsOn,
  tagsShape,
  tagsRestrictedValues,
  s3PublicAccessBlock,
  s3DefaultEncryption,
  s3TlsOnly,
  cloudTrailBucketPolicy,
  cloudTrailAfterBucketPolicy,
  cloudTrailKeyPolicy,
  kmsKeyRotation,
  logsKeyPolicy,
  s3LambdaNotifications,
  s3QueueTopicNotifications,
  cloudFrontOriginAccessControl,
  logDeliveryBucketPolicy,
  lambdaEventSourceMapping,
  apiGatewayAccountRole,
  apiGatewayStageAfterAccount,
  apiGatewayDeploymentAfterMethods,
  stepFunctionsLogDelivery,
  stepFunctionsCustomerManagedKey,
  dynamoDbScalableTargets,
  dataRetainStateful,
  dataVersioningPitr,
  rdsBootstrapFindings,
];

export type { Rule, RuleContext, ResourceView, RuleSetting } from './types';
