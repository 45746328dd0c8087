/**
 * API Gateway → Lambda function (APIGW-004): a Lambda permission for `apigateway.amazonaws.com`
 * whose `SourceArn` is the execute-api ARN of what invokes it, narrowed to the method and path
 * where they are known, any stage (`*`, which also covers the console's test invocations):
 * `arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*\/<METHOD>/<path>`,
 * or `${Api}/authorizers/${Authorizer}` for a Lambda authorizer. API Gateway does not check the
 * permission when the method, integration or authorizer is created; without it every call
 * answers 500 ("Execution failed due to configuration error: Invalid permissions on Lambda
 * function").
 */
import { canonicalString } from '../../template/intrinsics';
import { isObject, type Json } from '../../template/json';
import type { ConnectionKind } from '../types';

/** `${Api}/*\/GET/orders` out of the execute-api ARN, for the report. */
function executeApiTail(arn: Json): string {
  const c = canonicalString(arn);
  const text = typeof c === 'string' ? c : isObject(c) && typeof c['Fn::Sub'] === 'string' ? c['Fn::Sub'] : '';
  const at = text.indexOf('${AWS::AccountId}:');
  return at >= 0 ? text.slice(at + '${AWS::AccountId}:'.length) : text;
}

export const APIGATEWAY_PRINCIPAL = 'apigateway.amazonaws.com';

export const APIGATEWAY_FUNCTION: ConnectionKind = {
  id: 'apigateway-function',
  rule: 'APIGW-004',
  principal: APIGATEWAY_PRINCIPAL,
  title: 'API Gateway integration or authorizer → Lambda function',
  references: [
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (the function needs a resource-based permission for apigateway.amazonaws.com; SourceArn arn:aws:execute-api:region:account:api-id/*/METHOD/path)',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/arn-format-reference.html (execute-api ARNs: api-id/stage/METHOD/path; authorizers: api-id/authorizers/authorizer-id)',
    'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html (HTTP API Lambda integrations: API Gateway needs permission to invoke the function)',
    'aws-cdk-lib/aws-apigateway/lib/integrations/lambda.ts (LambdaIntegration.bind: addPermission with sourceArn restApi.arnForExecuteApi(method, path, stage) and the test-invoke-stage)',
    'aws-cdk-lib/aws-apigatewayv2-integrations/lib/http/lambda.ts (sourceArn execute-api:<api>/*/*<route path>) and websocket/lambda.ts (<api>/*/*)',
    'aws-cdk-lib/aws-apigateway/lib/authorizers/lambda.ts and aws-apigatewayv2-authorizers/lib/http/lambda.ts (sourceArn <api>/authorizers/<authorizer id>)',
  ],
  grants: (c) => [{ to: 'permission', target: c.destination, principal: APIGATEWAY_PRINCIPAL, detail: `let apigateway.amazonaws.com invoke ${c.destination} for ${c.source} only (SourceArn ${executeApiTail(c.sourceArn?.pinned ? c.sourceArn.arn : null)})` }],
};
