/**
 * The ordered rule registry. Order matters where one rule's output is another's input:
 * - REGION-001 and PARAM-001 look at the template as a whole (the deploy's region, naming
 *   parameters) and may fail the run: they come first, so a deploy to the wrong region or with an
 *   unsafe name fails fast, before any other rule's work.
 * - LAMBDA-001 only reads each function's Runtime, which no rule writes, and may fail the run
 *   (BlockDeprecatedRuntimes): it comes right after REGION-001 and PARAM-001 so that a stack that
 *   cannot be created is turned away before any rule works on it.
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
 * - CT-004 (trail → SNS topic) and CT-005 (trail → CloudWatch Logs role) follow CT-003 to keep
 *   the trail's connections together; each touches only the topic policy, the topic's key, the
 *   role and the trail's DependsOn, which no earlier rule reads.
 * - CT-003 and LOGS-001 add service statements to key policies; KMS-001 only sets a property of
 *   the key, so its place among them does not matter.
 * - S3N-001 and S3N-002 add DependsOn edges from buckets to Lambda permissions and queue/topic
 *   policies; they run after every rule that edits buckets or adds policy statements, so the
 *   cycle check of each edge sees the references those rules wrote.
 * - S3N-002 follows S3N-001 only because the issue lists them so: they touch different resources.
 * - SNS-001 adds Lambda permissions and queue and key statements, and no DependsOn; it follows
 *   S3N-002 so that a queue policy S3N-002 created is extended (one policy per queue), and runs
 *   before DATA-001 so the resources it creates are seen by the data-retention rules.
 * - EVT-001 adds the same kinds of grants for EventBridge targets, plus role policies and trust;
 *   it follows SNS-001 so both extend one queue or topic policy, and precedes SFN-001, which
 *   also edits roles' Policies (each appends its own named entry).
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
 * - APIGW-004 only creates Lambda permissions (no DependsOn); it follows the other API Gateway
 *   rules to keep them together, and reads nothing they write.
 * - APIGW-003 orders deployments after their methods; it reads nothing the APIGW rules write, and
 *   follows them only to keep the API Gateway rules together.
 * - CW-001 adds key statements for alarms' encrypted topics; it runs with the other key-statement
 *   rules' users of the connection model, after KMS-001 (which only sets a key property), and
 *   before DATA-001.
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
import { apiGatewayLambdaPermissions } from './apigateway-lambda-permissions';
import { alarmTopicKeys } from './alarm-topic-keys';
import { cloudFrontOriginAccessControl } from './cloudfront-origin-access-control';
import { cloudFormationConditionalDependsOn } from './cloudformation-conditional-depends-on';
import { cloudFormationExpectedRegions } from './cloudformation-expected-regions';
import { cloudFormationNamingParameters } from './cloudformation-naming-parameters';
import { cloudTrailBucketPolicy } from './cloudtrail-bucket-policy';
import { cloudTrailAfterBucketPolicy } from './cloudtrail-depends-on-policy';
import { cloudTrailKeyPolicy } from './cloudtrail-key-policy';
import { cloudTrailTopicPolicy } from './cloudtrail-topic-policy';
import { cloudTrailLogsRole } from './cloudtrail-logs-role';
import { dataRetainStateful } from './data-retain-stateful';
import { dataVersioningPitr } from './data-versioning-pitr';
import { dynamoDbScalableTargets } from './dynamodb-scalable-targets';
import { kmsKeyRotation } from './kms-key-rotation';
import { lambdaDeprecatedRuntimes } from './lambda-deprecated-runtimes';
import { lambdaEventSourceMapping } from './lambda-event-source-mapping';
import { logDeliveryBucketPolicy } from './log-delivery-bucket-policy';
import { logsKeyPolicy } from './logs-key-policy';
import { rdsBootstrapFindings } from './rds-bootstrap-findings';
import { s3DefaultEncryption } from './s3-default-encryption';
import { s3LambdaNotifications } from './s3-lambda-notifications';
import { s3PublicAccessBlock } from './s3-public-access-block';
import { s3QueueTopicNotifications } from './s3-queue-topic-notifications';
import { s3TlsOnly } from './s3-tls-only';
import { snsSubscriptions } from './sns-subscriptions';
import { eventsRuleTargets } from './events-rule-targets';
import { stepFunctionsCustomerManagedKey } from './stepfunctions-customer-managed-key';
import { stepFunctionsLogDelivery } from './stepfunctions-log-delivery';
import { tagsRestrictedValues } from './tags-restricted-values';
import { tagsShape } from './tags-shape';

export const RULES: readonly Rule[] = [
  cloudFormationExpectedRegions,
  cloudFormationNamingParameters,
  lambdaDeprecatedRuntimes,
  cloudFormationConditionalDependsOn,
  tagsShape,
  tagsRestrictedValues,
  s3PublicAccessBlock,
  s3DefaultEncryption,
  s3TlsOnly,
  cloudTrailBucketPolicy,
  cloudTrailAfterBucketPolicy,
  cloudTrailKeyPolicy,
  cloudTrailTopicPolicy,
  cloudTrailLogsRole,
  kmsKeyRotation,
  logsKeyPolicy,
  s3LambdaNotifications,
  s3QueueTopicNotifications,
  snsSubscriptions,
  eventsRuleTargets,
  cloudFrontOriginAccessControl,
  logDeliveryBucketPolicy,
  lambdaEventSourceMapping,
  apiGatewayAccountRole,
  apiGatewayStageAfterAccount,
  apiGatewayDeploymentAfterMethods,
  apiGatewayLambdaPermissions,
  alarmTopicKeys,
  stepFunctionsLogDelivery,
  stepFunctionsCustomerManagedKey,
  dynamoDbScalableTargets,
  dataRetainStateful,
  dataVersioningPitr,
  rdsBootstrapFindings,
];

export type { Rule, RuleContext, ResourceView, RuleSetting } from './types';
