/**
 * Evaluates template conditions where the deploy's values are known: `Fn::Equals`, `Fn::And`,
 * `Fn::Or`, `Fn::Not` and `Condition` over literals, parameters whose value the deploy passes
 * (the macro event's `templateParameterValues`, the CLI's `--param`) and the pseudo parameters
 * the macro knows (`AWS::Region`, `AWS::AccountId`, `AWS::Partition` and `AWS::URLSuffix` from the
 * region). Anything else (a parameter without a known value, `AWS::StackName`, `Fn::FindInMap`,
 * `Fn::Select`) makes the answer unknown, and so does every condition that depends on it: callers
 * then act as if the condition may hold. Semantics: "Condition functions", CloudFormation
 * Template Reference (`Fn::Equals` compares two values as strings; `Fn::And`/`Fn::Or` take 2 to 10
 * conditions).
 */
import { getOwn, isObject, type Json } from './json';
import type { TemplateModel } from './model';
import type { Guard } from './resolve';

/** What the macro knows about the deploy besides parameter values. */
export interface DeployFacts {
  region?: string;
  accountId?: string;
}

/** The partition and URL suffix of a region (aws-cdk-lib region-info: `cn-` and `us-gov-` regions). */
export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

/** The string a condition operand stands for at deploy time, or undefined when it is not known here. */
function operand(model: TemplateModel, value: Json, facts: DeployFacts): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (!isObject(value) || Object.keys(value).length !== 1 || typeof value.Ref !== 'string') return undefined;
  const name = value.Ref;
  if (name === 'AWS::Region') return facts.region;
  if (name === 'AWS::AccountId') return facts.accountId;
  if (name === 'AWS::Partition') return facts.region === undefined ? undefined : partitionOf(facts.region).partition;
  if (name === 'AWS::URLSuffix') return facts.region === undefined ? undefined : partitionOf(facts.region).urlSuffix;
  return model.isParameter(name) ? model.parameterValue(name) : undefined;
}

/**
 * Whether a named condition holds for this deploy: true, false, or undefined when it depends on
 * something not known here (or is not defined, or refers to itself).
 *
 * @example
 * // Conditions: {UseCmk: {'Fn::Not': [{'Fn::Equals': [{Ref: 'KeyArn'}, '']}]}}, KeyArn passed as ''
 * evaluateCondition(model, 'UseCmk', { region: 'eu-west-1' }); // false
 */
export function evaluateCondition(model: TemplateModel, name: string, facts: DeployFacts, seen: ReadonlySet<string> = new Set()): boolean | undefined {
  if (seen.has(name)) return undefined;
  const conditions = getOwn(model.doc, 'Conditions');
  const def = isObject(conditions) ? getOwn(conditions, name) : undefined;
  if (def === undefined) return undefined;
  return evaluate(model, def, facts, new Set([...seen, name]));
}

function evaluate(model: TemplateModel, expr: Json, facts: DeployFacts, seen: ReadonlySet<string>): boolean | undefined {
  if (typeof expr === 'boolean') return expr;
  if (!isObject(expr) || Object.keys(expr).length !== 1) return undefined;
  const [fn] = Object.keys(expr);
  const arg = expr[fn];
  if (fn === 'Condition') return typeof arg === 'string' ? evaluateCondition(model, arg, facts, seen) : undefined;
  if (!Array.isArray(arg)) return undefined;
  switch (fn) {
    case 'Fn::Equals': {
      if (arg.length !== 2) return undefined;
      const a = operand(model, arg[0], facts);
      const b = operand(model, arg[1], facts);
      return a === undefined || b === undefined ? undefined : a === b;
    }
    case 'Fn::Not': {
      if (arg.length !== 1) return undefined;
      const v = evaluate(model, arg[0], facts, seen);
      return v === undefined ? undefined : !v;
    }
    case 'Fn::And':
    case 'Fn::Or': {
      const values = arg.map((a) => evaluate(model, a, facts, seen));
      const decisive = fn === 'Fn::And' ? false : true;
      if (values.includes(decisive)) return decisive;
      return values.includes(undefined) ? undefined : !decisive;
    }
    default:
      return undefined;
  }
}

/**
 * Why a value chosen under `when` (its `Fn::If` guards) on a resource is not used by this deploy,
 * or undefined when it is or may be: the resource's own Condition is false, or a guard's condition
 * has the other truth value.
 *
 * @example
 * notTaken(model, 'AppLogs', [{ condition: 'UseCmk', holds: true }], facts); // 'condition UseCmk is false for this deploy'
 */
export function notTaken(model: TemplateModel, resource: string, when: readonly Guard[], facts: DeployFacts): string | undefined {
  const own = model.condition(resource);
  if (own !== undefined && evaluateCondition(model, own, facts) === false) return `${resource} has Condition ${own}, which is false for this deploy, so it is not created`;
  for (const guard of when) {
    const value = evaluateCondition(model, guard.condition, facts);
    if (value !== undefined && value !== guard.holds) return `it is chosen by Fn::If only when condition ${guard.condition} is ${guard.holds}, and ${guard.condition} is ${value} for this deploy's parameter values`;
  }
  return undefined;
}
