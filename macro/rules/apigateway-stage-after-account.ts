/**
 * APIGW-002: every stage that logs is created after the account's CloudWatch role is set.
 *
 * Nothing in a stage refers to the `AWS::ApiGateway::Account`, so CloudFormation may create both
 * at once, and a stage that turns logging on before the account setting is written fails with
 * "CloudWatch Logs role ARN must be set in account settings to enable logging" (aws-cdk#10722,
 * fixed in aws-cdk-lib by making every stage depend on the CfnAccount, PR #18011).
 *
 * Which stages log is decided as in APIGW-001 (`shared/apigateway.ts`): REST stages, deployments
 * whose StageDescription logs, and WebSocket stages; "may log" counts, and so does a V2 stage
 * that logs when its API is outside the template (it may be a WebSocket API; for an HTTP API the
 * edge only orders it).
 *
 * Expectations
 * - Skips: stages that do not log; templates without an `AWS::ApiGateway::Account` (APIGW-001
 *   adds one, or reports that the role is set elsewhere).
 * - Already compliant: the stage depends on the Account, directly or through other resources
 *   (a Stage whose Deployment already depends on it).
 * - Fixes: adds `DependsOn: <Account>` (the Account that sets CloudWatchRoleArn, else the first).
 *   The Account depends only on its role and an API, never on a stage, so the edge cannot close a
 *   cycle unless the template already orders the Account after the stage; that edge, and one from
 *   a stage to an Account whose Condition the stage's does not imply (cfn-lint E3005), are refused
 *   by the DependsOn helper and reported.
 */
import type { Rule } from './types';
import { STAGE_TYPES, stageLogging } from './shared/apigateway';

export const apiGatewayStageAfterAccount: Rule = {
  id: 'APIGW-002',
  title: "Create stages that log after the account's CloudWatch role",
  rationale:
    'A stage does not refer to the AWS::ApiGateway::Account, so CloudFormation may create it first, and a stage that logs then fails with "CloudWatch Logs role ARN must be set in account settings to enable logging". aws-cdk-lib makes every stage depend on the account for this reason.',
  resourceTypes: STAGE_TYPES,
  changes: ['AWS::ApiGateway::Stage DependsOn', 'AWS::ApiGateway::Deployment DependsOn', 'AWS::ApiGatewayV2::Stage DependsOn'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html',
    'aws-cdk-lib/aws-apigateway/lib/restapi.ts (_attachStage: stage.node.addDependency(cloudWatchAccount))',
    'https://github.com/aws/aws-cdk/pull/18011 (race condition between Stage and CfnAccount)',
  ],
  apply(stage, ctx) {
    const model = ctx.model;
    const logging = stageLogging(model, stage.id);
    if (logging === undefined) return;
    const accounts = model.idsOfType('AWS::ApiGateway::Account');
    const account = accounts.find((a) => model.get(a, ['Properties', 'CloudWatchRoleArn']) !== undefined) ?? accounts[0];
    if (account === undefined || model.reaches(stage.id, account)) return;
    const subject = stage.type === 'AWS::ApiGateway::Deployment' ? 'the stage it creates' : 'the stage';
    const logs = logging.kind === 'unknown-api' ? 'may log (if its API is a WebSocket API)' : logging.certain ? 'logs' : 'may log';
    ctx.dependsOn(stage.id, account, `${subject} ${logs}: ${logging.reason}; that needs the account's CloudWatch role set first`);
  },
};
