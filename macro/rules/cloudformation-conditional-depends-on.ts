/**
 * DEP-001: a resource's `DependsOn` names only resources that exist whenever it does.
 *
 * CloudFormation resolves `DependsOn` before it creates anything: a target that is not in the
 * template, or whose `Condition` is false for this deploy, fails the whole change set with
 * "Template format error: Unresolved resource dependencies [X] in the Resources block of the
 * template" (cfn-lint E3005 checks both). The second case hides until someone deploys with the
 * condition false, as the seeds found with a log group that depended on an optional KMS key.
 *
 * The seeds' remedy is to remove the edge and refer to the conditional resource through
 * `Fn::If` in a property instead (a reference orders creation too, and disappears with its
 * branch). The rule removes the edge and reports it in full; it cannot write that reference
 * itself (which property should carry it is the template's decision), so the report says whether
 * the order is kept by a reference the resource already has, and how to keep it otherwise.
 *
 * Conditions are compared as the model does: the same name, or a condition defined as `Fn::And`
 * of terms that include the target's (at any depth, through `Condition` references). Conditions
 * that are equivalent but written differently count as different, so their edge is removed (and
 * reported).
 *
 * Expectations
 * - Skips: resources without `DependsOn`; targets a later transform may create (the template
 *   still holds `AWS::Serverless::*` resources, `Fn::ForEach` or `Fn::Transform`: reported).
 * - Already compliant: every target exists and its condition is implied by the resource's (or
 *   it has none).
 * - Fixes: removes each target whose condition the resource's does not imply, keeping the
 *   attribute's form (a list stays a list; the attribute goes when nothing is left).
 * - Fails: a target that is not a resource of the template, naming both.
 */
import type { Rule } from './types';
import { references } from '../template/intrinsics';
import type { TemplateModel } from '../template/model';
import { moduleOf } from '../template/modules';

export const cloudFormationConditionalDependsOn: Rule = {
  id: 'DEP-001',
  title: 'Depend only on resources that exist whenever the dependent does',
  rationale:
    'A DependsOn target that is missing, or whose Condition may be false when the dependent resource is created, fails the whole deploy with "Unresolved resource dependencies [X] in the Resources block of the template" (cfn-lint E3005). Conditional targets are removed from DependsOn and reported in full, with how to keep the order through a conditional reference; missing targets fail the run naming both resources.',
  resourceTypes: ['*'],
  changes: ['* DependsOn'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html (resources whose condition is false are not created)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-conditions.html (Fn::If with AWS::NoValue)',
    'cfn-lint src/cfnlint/rules/resources/DependsOn.py (E3005: DependsOn targets must be resources, available under the same conditions; aws-cloudformation/cfn-lint#1738)',
    'Error without it: aws-solutions/media-insights-on-aws#145 ("Template format error: Unresolved resource dependencies [Analytics] in the Resources block of the template" with the condition false)',
  ],
  satisfies: ['cfn-lint E3005'],
  apply(resource, ctx) {
    const model = ctx.model;
    const targets = model.dependsOn(resource.id);
    if (targets.length === 0) return;

    // A resource inside a CloudFormation module (`MyModuleS3Bucket`) exists once the module is expanded.
    const missing = [...new Set(targets.filter((t) => !model.isResource(t) && moduleOf(model, t) === undefined))];
    if (missing.length) {
      if (!namesAreFinal(model)) {
        ctx.finding(resource.id, 'DependsOn', 'info', `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the template yet; a later transform (SAM, AWS::LanguageExtensions) may create ${missing.length === 1 ? 'it' : 'them'}, so this was not checked`);
      } else {
        const what = missing.map((t) => (model.isParameter(t) ? `${t} (a parameter)` : t)).join(', ');
        ctx.fail(
          resource.id,
          'DependsOn',
          `${resource.id} depends on ${what}, which ${missing.length === 1 ? 'is not a resource' : 'are not resources'} in this template, so CloudFormation rejects it with "Unresolved resource dependencies [${missing.join(', ')}]": remove ${missing.length === 1 ? 'it' : 'them'} from ${resource.id}'s DependsOn, or correct the logical id`,
        );
      }
    }

    const own = resource.condition;
    const conditional = targets.filter((t) => model.isResource(t) && !model.conditionImplies(own, model.condition(t)));
    for (const target of conditional) {
      const current = model.dependsOn(resource.id);
      const raw = model.resource(resource.id)?.DependsOn;
      const index = current.indexOf(target);
      const path = typeof raw === 'string' || current.length === 1 ? ['DependsOn'] : ['DependsOn', index];
      const condition = model.condition(target) as string;
      const because = own === undefined ? `${resource.id} has no Condition` : `${resource.id}'s Condition ${own} does not imply it`;
      ctx.remove(resource.id, path, `${target}: it exists only when ${condition} holds and ${because}, so a deploy with ${condition} false fails with "Unresolved resource dependencies [${target}]" (cfn-lint E3005)`, orderHint(model, resource.id, target, condition));
    }
  },
};

/** What happens to the creation order without the edge, and how to keep it when it is needed. */
function orderHint(model: TemplateModel, from: string, to: string, condition: string): string {
  const resource = model.resource(from) ?? {};
  const via = Object.keys(resource).find((k) => k !== 'DependsOn' && k !== 'Metadata' && references(resource[k]).some((r) => r.name === to));
  if (via !== undefined) return `nothing to do: ${from} still waits for ${to} when it exists, through its reference to ${to} in ${via}`;
  return `if ${from} must wait for ${to} when it exists, refer to it in a property under the same condition, e.g. !If [${condition}, !Ref ${to}, !Ref AWS::NoValue]: the reference orders creation, and disappears when ${to} does not exist`;
}

/**
 * Whether every name is final: a template that still holds un-expanded SAM resources,
 * `Fn::ForEach` loops or `Fn::Transform` calls gets resources from a later transform (the same
 * test as the engine's invariant pass).
 */
function namesAreFinal(model: TemplateModel): boolean {
  if (Object.keys(model.resources).length !== model.ids().length) return false;
  if (model.ids().some((id) => (model.type(id) ?? '').startsWith('AWS::Serverless::'))) return false;
  return !JSON.stringify(model.doc).includes('"Fn::Transform"');
}
