/**
 * APIGW-001: when a stage logs to CloudWatch Logs, the account has an API Gateway CloudWatch role.
 *
 * API Gateway writes execution logs and CloudWatch access logs with one IAM role per account and
 * region, set in the account settings (`AWS::ApiGateway::Account CloudWatchRoleArn`). A stage that
 * turns logging on while the setting is empty fails to create with "CloudWatch Logs role ARN must
 * be set in account settings to enable logging" (aws-cdk#13511, aws-cdk#10722).
 *
 * Which stages log: an `AWS::ApiGateway::Stage` with a `MethodSettings` entry whose LoggingLevel
 * is INFO or ERROR or whose DataTraceEnabled is true, or with an `AccessLogSetting` whose
 * DestinationArn is a log group; an `AWS::ApiGateway::Deployment` whose `StageDescription` does
 * the same (its own LoggingLevel / DataTraceEnabled, MethodSettings or AccessLogSetting); and an
 * `AWS::ApiGatewayV2::Stage` of a WebSocket API (DefaultRouteSettings, RouteSettings or
 * AccessLogSettings). A value given by a parameter whose deploy value is unknown, or that differs
 * between `Fn::If` branches, counts as "may log": the role is added, because a stage that does log
 * without it fails to deploy, while an unused role costs nothing.
 *
 * Left alone, on purpose: HTTP API stages (`AWS::ApiGatewayV2::Stage` of a `ProtocolType: HTTP`
 * API) deliver access logs through CloudWatch Logs log delivery with the deployer's own
 * permissions and need no account role ("Configure logging for HTTP APIs"; aws-cdk PR #33977
 * logs HttpStage access without one); REST access logs to Firehose use the service-linked role
 * AWSServiceRoleForAPIGateway ("Log REST API calls to Amazon Data Firehose"). A V2 stage whose
 * API is not in the template cannot be told apart, so it is reported.
 *
 * The Account is one setting per account and region: every stack that creates one overwrites the
 * role the others set, and deleting the stack that set it leaves the setting pointing at whatever
 * it last was (aws-cdk#7140, aws-cdk#10878); aws-cdk-lib turned its own `cloudWatchRole` off by
 * default for new projects for that reason (aws-cdk PR #21546, feature flag
 * `@aws-cdk/aws-apigateway:disableCloudWatchRole`). So the macro asks the account first
 * (preflight/apigateway.ts, `GetAccount`, at deploy and in the CLI with --preflight) and adds the
 * role and the Account only when no role is set. An organisation that keeps one role for every
 * account names it with the option `ApiGatewayCloudWatchRoleArn`: the Account then points at that
 * role and no role is created. Without the account's answer (the CLI without --preflight, access
 * denied, a network error), the rule does what it did before the check, since a stage that logs
 * fails without a role, and reports that it could not check.
 *
 * Expectations
 * - Skips: stages that do not log; everything when the option `ApiGatewayCloudWatchRole` is
 *   false (the account's role is managed elsewhere), which is reported once, on the first
 *   logging stage; a template whose account already has a CloudWatch role in the region, as the
 *   preflight found (reported once, with the role's ARN).
 * - Already compliant: the template has an `AWS::ApiGateway::Account` with a CloudWatchRoleArn
 *   (whatever it names).
 * - Fixes: with no Account and the option `ApiGatewayCloudWatchRoleArn` set, adds
 *   `ApiGatewayAccount` with that role (no role of its own). With no Account and no such option,
 *   adds `ApiGatewayCloudWatchRole` (an IAM role trusted by
 *   `apigateway.amazonaws.com` with the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs,
 *   ARN built with `${AWS::Partition}`) and `ApiGatewayAccount` (CloudWatchRoleArn: the role's
 *   Arn), both with DeletionPolicy and UpdateReplacePolicy Retain as aws-cdk-lib applies by
 *   default: the setting outlives the stack, and deleting the role would leave every API in the
 *   account and region pointing at a role that is gone (aws-cdk#12769). The Account depends on the
 *   first logging stage's API, as aws-cdk-lib makes it depend on the RestApi (a dependency the
 *   CloudFormation docs once asked for in accounts that never used API Gateway). Both new
 *   resources take the logging stages' Condition when they all share one, else none. With an
 *   Account that has no CloudWatchRoleArn, sets it to the `ApiGatewayCloudWatchRoleArn` role, or
 *   adds a role (with the Account's Condition) and sets it, an update without interruption per the
 *   resource reference. The ids are fixed,
 *   so a second run, and a template with stages added or removed, finds what the first added.
 *
 * The role's trust names the service principal without `aws:SourceAccount`: neither the API
 * Gateway docs nor aws-cdk-lib put a condition on this role, and one API Gateway does not satisfy
 * would make the Account fail with "The role ARN does not have required permissions configured".
 * `apigateway.amazonaws.com` is the same in every partition (aws-cdk-lib
 * `region-info/lib/default.ts`: service principals are `<service>.amazonaws.com`). A stack that
 * gains the role needs CAPABILITY_IAM.
 */
import type { Rule } from './types';
import { isObject, type Json, type JsonObject } from '../template/json';
import { apiOf, STAGE_TYPES, stageLogging } from './shared/apigateway';

const OPTION = 'ApiGatewayCloudWatchRole';
const ROLE_ARN_OPTION = 'ApiGatewayCloudWatchRoleArn';
/** An IAM role ARN, literal or with the partition and account as `${AWS::…}` placeholders. */
const ROLE_ARN = /^arn:(aws[a-z-]*|\$\{AWS::Partition\}):iam::(\d{12}|\$\{AWS::AccountId\}):role\/[\w+=,.@/-]+$/;
/** The fixed owner of the account-wide resources: `ApiGatewayCloudWatchRole`, `ApiGatewayAccount`. */
const OWNER = 'ApiGateway';

function cloudWatchRole(): JsonObject {
  return {
    Type: 'AWS::IAM::Role',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' }],
    },
  };
}

const ROLE_DETAIL = 'the role API Gateway assumes to write execution and access logs to CloudWatch Logs (AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs), retained on delete; the stack now needs CAPABILITY_IAM';

export const apiGatewayAccountRole: Rule = {
  id: 'APIGW-001',
  title: "Give the account an API Gateway CloudWatch role when a stage logs",
  rationale:
    'A REST or WebSocket stage that turns on execution or access logging fails to create with "CloudWatch Logs role ARN must be set in account settings to enable logging" unless the account and region have an API Gateway CloudWatch role. This adds the role and the AWS::ApiGateway::Account that sets it, retained on delete as aws-cdk-lib does.',
  resourceTypes: STAGE_TYPES,
  changes: ['AWS::IAM::Role', 'AWS::ApiGateway::Account'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html (one per account and region; CloudWatchRoleArn: Update requires No interruption)',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html (HTTP APIs: no account role)',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-logging-to-kinesis.html (Firehose: service-linked role)',
    'aws-cdk-lib/aws-apigateway/lib/restapi.ts (_configureCloudWatchRole: role, CfnAccount, RemovalPolicy.RETAIN, account depends on the RestApi)',
    'aws-cdk-lib/region-info/lib/default.ts (apigateway.amazonaws.com in every partition)',
    'https://github.com/aws/aws-cdk/issues/12769 (a deleted role leaves the account setting dangling)',
    'https://github.com/awsdocs/aws-cloudformation-user-guide/issues/1008 (the former note: the Account needs a dependency on another API Gateway resource)',
    'https://github.com/aws/aws-cdk/issues/7140 and https://github.com/aws/aws-cdk/issues/10878 (one Account per account and region: stacks overwrite each other\'s role)',
    'https://github.com/aws/aws-cdk/pull/21546 (aws-cdk-lib no longer creates the CloudWatch role by default: @aws-cdk/aws-apigateway:disableCloudWatchRole)',
    'https://docs.aws.amazon.com/apigateway/latest/api/API_GetAccount.html (GET /account: cloudwatchRoleArn; IAM apigateway:GET on arn:<partition>:apigateway:<region>::/account)',
  ],
  settings: [
    {
      name: OPTION,
      description: "false when the account's API Gateway CloudWatch role is set outside this template (a baseline stack, the console): stages that log are then reported, not given a role. An organisation that sets the role in every account sets it in TAP_HARDENING_DEFAULTS.",
      parse(value) {
        if (typeof value === 'boolean') return value;
        throw new Error("must be true or false (false: the account's API Gateway CloudWatch role is set outside this template)");
      },
    },
    {
      name: ROLE_ARN_OPTION,
      description: "The ARN of a central API Gateway CloudWatch role (trusted by apigateway.amazonaws.com, with AmazonAPIGatewayPushToCloudWatchLogs) that an organisation keeps in every account: when an account has no role set, the AWS::ApiGateway::Account the macro adds points at it, and no role is created. Usually set in TAP_HARDENING_DEFAULTS, e.g. arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ApiGatewayCloudWatch.",
      parse(value) {
        if (typeof value === 'string' && ROLE_ARN.test(value)) return value;
        if (isObject(value)) return value; // an intrinsic, e.g. {"Fn::ImportValue": "..."}
        throw new Error('must be an IAM role ARN, e.g. arn:${AWS::Partition}:iam::${AWS::AccountId}:role/ApiGatewayCloudWatch');
      },
    },
  ],
  apply(stage, ctx) {
    const model = ctx.model;
    const logging = stageLogging(model, stage.id);
    if (logging === undefined) return;
    if (logging.kind === 'unknown-api') {
      ctx.finding(stage.id, 'Properties.ApiId', 'info', `${logging.reason}, but ApiId names no API in this template: if it is a WebSocket API, the account's API Gateway CloudWatch role must be set, else the stage fails with "CloudWatch Logs role ARN must be set in account settings to enable logging" (an HTTP API needs none)`);
      return;
    }
    const accounts = model.idsOfType('AWS::ApiGateway::Account');
    if (accounts.some((a) => model.get(a, ['Properties', 'CloudWatchRoleArn']) !== undefined)) return;
    // The decision is made once, for every logging stage that did not opt out, on the first of them.
    const loggers = model.idsOfType(...STAGE_TYPES).filter((id) => !ctx.skips(id) && stageLogging(model, id)?.kind === 'logs');
    const first = loggers[0] === stage.id;
    const why = `${stage.id} ${logging.certain ? 'logs' : 'may log'} (${logging.reason})`;

    if (ctx.setting(OPTION) === false) {
      if (first) ctx.finding(stage.id, '', 'info', `${why}: the option ${OPTION} is false, so the account's API Gateway CloudWatch role must already be set in this account and region, else the stage fails with "CloudWatch Logs role ARN must be set in account settings to enable logging"`);
      return;
    }
    const central = centralRole(ctx.setting(ROLE_ARN_OPTION));

    if (accounts.length > 0) {
      // The user's Account: give it a role, under its own condition (the role serves it alone).
      const account = accounts[0];
      if (central !== undefined) {
        ctx.set(account, ['Properties', 'CloudWatchRoleArn'], central, `the organisation's role (option ${ROLE_ARN_OPTION}), because ${why} and the Account sets no CloudWatch role`);
        return;
      }
      const role = ctx.createResource(account, 'CloudWatchRole', cloudWatchRole(), ROLE_DETAIL);
      ctx.set(account, ['Properties', 'CloudWatchRoleArn'], { 'Fn::GetAtt': [role, 'Arn'] }, `the new role ${role}, because ${why} and the Account sets no CloudWatch role`);
      return;
    }

    if (!first) return;
    const state = ctx.apiGatewayAccount;
    if (state?.status === 'role-set') {
      ctx.finding(stage.id, '', 'info', `${why}; the account already has an API Gateway CloudWatch role in this region (${state.roleArn}, checked live), so no role or AWS::ApiGateway::Account is added: a second Account would take the account-wide setting over from whoever set it`);
      return;
    }
    const checked =
      state?.status === 'no-role'
        ? 'checked live: the account has no API Gateway CloudWatch role in this region'
        : state?.status === 'unknown'
          ? `could not check the account (${state.reason}), so added as without the check`
          : 'the account was not checked live here (the macro checks it at deploy; the CLI with --preflight)';
    const conditions = new Set(loggers.map((id) => model.condition(id)));
    const shared = conditions.size === 1 ? [...conditions][0] : undefined;
    let roleArn: Json;
    let roleText: string;
    if (central !== undefined) {
      roleArn = central;
      roleText = `the organisation's role (option ${ROLE_ARN_OPTION})`;
    } else {
      const role = ctx.createResource(OWNER, 'CloudWatchRole', cloudWatchRole(), ROLE_DETAIL, { condition: shared ?? null });
      roleArn = { 'Fn::GetAtt': [role, 'Arn'] };
      roleText = role;
    }
    const account = ctx.createResource(
      OWNER,
      'Account',
      { Type: 'AWS::ApiGateway::Account', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { CloudWatchRoleArn: roleArn } },
      `${roleText} as the account's API Gateway CloudWatch role (one per region, retained on delete; option ${OPTION}: false if set elsewhere), because ${why}`,
      { condition: shared ?? null },
    );
    if (state?.status !== 'no-role') ctx.finding(account, 'Properties.CloudWatchRoleArn', state?.status === 'unknown' ? 'warning' : 'info', checked, `if the account already has a CloudWatch role, set ${OPTION}: false (or ${ROLE_ARN_OPTION} to a central role) so this stack does not take the account-wide setting over`);
    else ctx.finding(account, 'Properties.CloudWatchRoleArn', 'info', checked);
    // Only an API that no logging stage is ordered before: the edge must never stand in the way
    // of APIGW-002's Stage → Account edges, which matter more.
    const api = loggers
      .map((id) => apiOf(model, id))
      .find((id) => id !== undefined && model.conditionImplies(shared, model.condition(id)) && !loggers.some((s) => model.reaches(id, s)));
    if (api !== undefined) ctx.dependsOn(account, api, 'aws-cdk-lib orders its CfnAccount after the RestApi, for accounts that have never used API Gateway');
  },
};

/** The option's role ARN as a value to write: a `${AWS::…}` string becomes a Fn::Sub. */
function centralRole(value: Json | undefined): Json | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' && value.includes('${') ? { 'Fn::Sub': value } : value;
}
