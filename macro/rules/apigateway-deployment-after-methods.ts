/**
 * APIGW-003: every deployment is created after the methods of its REST API.
 *
 * A deployment snapshots the API as it is when the deployment is created, and refers only to the
 * RestApi, so CloudFormation may create it right after the RestApi: with no method yet it fails
 * with "The REST API doesn't contain any methods"; with some, it silently deploys without the
 * others. The `AWS::ApiGateway::Deployment` reference says the deployment must depend on the
 * RestApi's methods; aws-cdk-lib's Deployment adds that dependency for every method
 * (`_addMethodDependency`, PR #6165).
 *
 * A method belongs to the deployment's API when their `RestApiId` values resolve to the same
 * RestApi (through Ref, GetAtt, Sub and every Fn::If branch), or, for an API outside the template,
 * are the same parameter or expression.
 *
 * Expectations
 * - Skips: deployments of an API with no `AWS::ApiGateway::Method` in the template (an API
 *   defined by an OpenAPI Body has none).
 * - Already compliant: the deployment depends on every method, directly or through other resources
 *   (one method depending on another counts).
 * - Fixes: adds each missing method to the deployment's `DependsOn`. A method whose Condition the
 *   deployment's does not imply (cfn-lint E3005), or that already depends on the deployment, is
 *   refused by the DependsOn helper and reported. Linear in the number of methods: the resources
 *   the deployment reaches are computed once and grown as edges are added.
 */
import type { Rule } from './types';
import type { TemplateModel } from '../template/model';
import { restApiKeys } from './shared/apigateway';

/** Adds `from` and everything it depends on to `seen` (iterative, visiting each resource once). */
function reachFrom(model: TemplateModel, from: string, seen: Set<string>): void {
  const stack = [from];
  seen.add(from);
  while (stack.length) {
    for (const next of model.edges(stack.pop() as string)) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
}

export const apiGatewayDeploymentAfterMethods: Rule = {
  id: 'APIGW-003',
  title: 'Create deployments after the methods of their API',
  rationale:
    'A deployment refers only to its RestApi, so CloudFormation may create it before the methods: it then fails with "The REST API doesn\'t contain any methods" or deploys an API without some of them. The deployment must depend on every method, as the CloudFormation reference says and aws-cdk-lib does.',
  resourceTypes: ['AWS::ApiGateway::Deployment'],
  changes: ['AWS::ApiGateway::Deployment DependsOn'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-deployment.html (the deployment must depend on the RestApi\'s methods)',
    'aws-cdk-lib/aws-apigateway/lib/deployment.ts (_addMethodDependency)',
    'aws-cdk-lib/aws-apigateway/lib/restapi.ts (_attachMethod, _attachDeployment)',
  ],
  apply(deployment, ctx) {
    const model = ctx.model;
    const keys = restApiKeys(model, deployment.properties.RestApiId);
    if (keys.size === 0) return;
    const methods = model.idsOfType('AWS::ApiGateway::Method').filter((m) => {
      for (const key of restApiKeys(model, model.get(m, ['Properties', 'RestApiId']))) if (keys.has(key)) return true;
      return false;
    });
    if (methods.length === 0) return;
    const reached = new Set<string>();
    reachFrom(model, deployment.id, reached);
    for (const method of methods) {
      if (reached.has(method)) continue;
      const outcome = ctx.dependsOn(deployment.id, method, `created before the method, the deployment fails with "The REST API doesn't contain any methods" or deploys the API without it`);
      if (outcome.added) reachFrom(model, method, reached);
    }
  },
};
