/**
 * PARAM-001: a parameter that goes into resource names (`EnvironmentSuffix`) only takes values
 * that are safe in every name.
 *
 * Teams build names as `!Sub tap-data-${EnvironmentSuffix}`. An unconstrained suffix lets
 * `Dev_1` or `feature/login` through, and the deploy then fails late, on the first resource whose
 * name rules it breaks (S3 bucket names take lowercase letters, digits, hyphens and dots and must
 * end with a letter or digit; RDS identifiers forbid two consecutive hyphens; load balancer and
 * target group names stop at 32 characters), after other resources were created. The seeds'
 * remedy: "Validate EnvironmentSuffix with a safe regex".
 *
 * The pattern written is `^[a-z0-9]+(-[a-z0-9]+)*$` (lowercase letters and digits in groups
 * joined by single hyphens: it starts and ends with a letter or digit) with `MaxLength: 20`
 * (room for a prefix inside a 32-character load balancer name), and a `ConstraintDescription`
 * that CloudFormation shows instead of "Malformed input-Parameter X must match pattern …".
 * CloudFormation matches `AllowedPattern` against the whole value of a String parameter.
 *
 * A constraint added to an existing stack's parameter is checked on its next update, against the
 * value it is updated with: a stack deployed with `Dev_1` would then fail. So the rule checks the
 * deploy's actual value (the macro event's `templateParameterValues`, which CloudFormation has
 * already evaluated, defaults included; the CLI's `--param`) and the `Default`, and fails with a
 * message that names the parameter, the value and the pattern, before anything is deployed.
 *
 * Which parameters go into names is found by use: a parameter that a resource's physical-name
 * property refers to (by `Ref`, or inside a `Fn::Sub` or `Fn::Join`). The physical-name property
 * of each type comes from the resource specification (macro/spec `physicalNameProperty`, generated
 * by scripts/spec-table.ts): the first of `<Type>Name`, `Name` and `<Type>Identifier` that is a
 * top-level string property whose update requires replacement (`BucketName`, `QueueName`, a
 * secret's `Name`, `DBInstanceIdentifier`), since a name that can change in place is a label, not
 * the resource's identity. `EnvironmentSuffix`, the seeds' convention, is included by name. The
 * option `NamingParameters` replaces that choice with its own list.
 *
 * A parameter found only by use may feed names whose own rules are looser than the safe pattern
 * (a function name may hold uppercase letters and underscores): when the deploy's value or the
 * `Default` does not match, the rule reports that and adds nothing, because failing or
 * constraining would break a stack that deploys today. For a parameter the option names, or
 * `EnvironmentSuffix`, it fails as below.
 *
 * Expectations
 * - Skips: parameters that go into no physical name, other than `EnvironmentSuffix` (or, with the
 *   option `NamingParameters`, parameters it does not name); a parameter found by use that is not a
 *   `String`; a named parameter that is not in the template (reported when the option names it
 *   explicitly). A resource's `Skip` does not apply to this template-level rule: turn it off with
 *   `Metadata.TapHardening.Rules: {PARAM-001: false}`.
 * - Already compliant: the parameter has its own `AllowedPattern` or `AllowedValues` (never
 *   changed: the template's choice).
 * - Reports, without fixing: a parameter that is not of type `String` (a Number, a list, an SSM
 *   parameter type whose constraints would apply to the Parameter Store key, not the value).
 * - Fixes: adds `AllowedPattern`, and `ConstraintDescription` and `MaxLength` when absent (a
 *   `MaxLength` the template sets is kept and bounds the pattern's check instead).
 * - Fails: the deploy's value or the `Default` does not match, for a parameter the option names or
 *   `EnvironmentSuffix`; for one found only by use, reports it as a warning instead.
 */
import type { Rule, RuleContext } from './types';
import { references } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import type { TemplateModel } from '../template/model';
import { physicalNameProperty } from '../spec';

export const SAFE_NAME_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
const SAFE_NAME = new RegExp(SAFE_NAME_PATTERN);
const MAX_LENGTH = 20;
const SHAPE = 'lowercase letters, digits and single hyphens, starting and ending with a letter or digit';
const DEFAULT_NAMES = ['EnvironmentSuffix'];

export const cloudFormationNamingParameters: Rule = {
  id: 'PARAM-001',
  title: 'Constrain parameters that go into resource names',
  rationale:
    'An unconstrained EnvironmentSuffix lets values such as Dev_1 through, and the deploy then fails late on the first resource whose name rules they break, after other resources were created. The parameter gets a safe AllowedPattern and length, and the macro checks the deploy\'s actual value against it at transform time.',
  resourceTypes: [],
  changes: ['Parameters.*.AllowedPattern', 'Parameters.*.ConstraintDescription', 'Parameters.*.MaxLength'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html (AllowedPattern: must match the entire value of a String; ConstraintDescription; MaxLength)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html (templateParameterValues: evaluated before they are passed to the function)',
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (lowercase letters, digits, hyphens, dots; begin and end with a letter or digit)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html (DBInstanceIdentifier: no two consecutive hyphens, no trailing hyphen)',
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html (Name: at most 32 characters)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html (the Name type: custom names, replacement)',
    '@aws-cdk/aws-service-spec (each type\'s physical-name property: <Type>Name, Name or <Type>Identifier, requiring replacement), generated into macro/spec',
  ],
  settings: [
    {
      name: 'NamingParameters',
      description: 'The parameters whose values go into resource names and get a safe AllowedPattern. Default: every parameter a physical-name property refers to (from the resource specification), and EnvironmentSuffix.',
      parse(value) {
        if (!Array.isArray(value) || value.length === 0) throw new Error('must be a non-empty list of parameter names, e.g. ["EnvironmentSuffix"] (turn the rule off with Rules: {PARAM-001: false})');
        const seen = new Set<string>();
        for (const v of value) {
          if (typeof v !== 'string' || !/^[A-Za-z0-9]+$/.test(v)) throw new Error(`${JSON.stringify(v)} is not a parameter name (alphanumeric)`);
          if (seen.has(v)) throw new Error(`lists ${v} twice`);
          seen.add(v);
        }
        return value;
      },
    },
  ],
  applyTemplate(template, ctx) {
    const configured = ctx.setting('NamingParameters');
    if (Array.isArray(configured)) {
      for (const name of configured.filter((n): n is string => typeof n === 'string')) {
        const declaration = template.parameters[name];
        if (declaration === undefined) ctx.finding('-', `Parameters.${name}`, 'info', `the option NamingParameters names ${name}, which is not a parameter of this template`);
        else if (isObject(declaration)) guard(name, declaration, ctx, { strict: true });
      }
      return;
    }
    const uses = namingUses(ctx.model);
    for (const name of Object.keys(template.parameters)) {
      const declaration = template.parameters[name];
      const use = uses.get(name);
      if (!isObject(declaration) || (use === undefined && !DEFAULT_NAMES.includes(name))) continue;
      // A parameter found only by use that is not a String takes no pattern: nothing to say about it.
      if (!DEFAULT_NAMES.includes(name) && declaration.Type !== 'String') continue;
      guard(name, declaration, ctx, use === undefined ? { strict: true } : { strict: DEFAULT_NAMES.includes(name), use });
    }
  },
};

/**
 * Each parameter that a physical-name property refers to, with the first such use, in template
 * order: `EnvironmentSuffix` → `BucketName of Data`.
 */
function namingUses(model: TemplateModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of model.ids()) {
    const type = model.type(id);
    const property = type === undefined ? undefined : physicalNameProperty(type);
    if (property === undefined) continue;
    for (const ref of references(model.get(id, ['Properties', property]))) {
      if (ref.via === 'GetAtt' || ref.attribute !== undefined || !model.isParameter(ref.name) || out.has(ref.name)) continue;
      out.set(ref.name, `${property} of ${id}`);
    }
  }
  return out;
}

/** `strict`: a value that does not fit fails the run; else it is reported and nothing is added. `use`: where the parameter goes into a name. */
function guard(name: string, declaration: JsonObject, ctx: RuleContext, how: { strict: boolean; use?: string }): void {
  const at = `Parameters.${name}`;
  const into = how.use === undefined ? 'resource names' : `resource names (${how.use})`;
  const type = declaration.Type;
  if (type !== 'String') {
    if (typeof type === 'string' && type.startsWith('AWS::SSM::Parameter::')) {
      ctx.finding('-', at, 'info', 'not given a pattern: its value comes from Parameter Store, and a pattern here would check the Parameter Store name, not the value', 'constrain the value where it is stored (AllowedPattern on the AWS::SSM::Parameter)');
    } else {
      ctx.finding('-', at, 'info', `not given a pattern: it is a ${typeof type === 'string' ? type : 'parameter without a Type'}, and patterns apply to String values`, `declare ${name} as a String, or leave it out of NamingParameters`);
    }
    return;
  }
  if (declaration.AllowedPattern !== undefined || declaration.AllowedValues !== undefined) return;

  const maxLength = lengthOf(declaration.MaxLength) ?? MAX_LENGTH;
  const candidates: Array<[string, Json | undefined]> = [
    ['the value this deploy passes', ctx.model.parameterValue(name)],
    ['its Default', declaration.Default],
  ];
  for (const [what, value] of candidates) {
    if (value === undefined) continue;
    const text = String(value);
    const wrong = !SAFE_NAME.test(text) ? `does not match the AllowedPattern ${SAFE_NAME_PATTERN} that PARAM-001 adds (${SHAPE})` : text.length > maxLength ? `is ${text.length} characters long, over ${declaration.MaxLength === undefined ? `the MaxLength of ${maxLength} that PARAM-001 adds` : `its MaxLength of ${maxLength}`}` : undefined;
    if (wrong !== undefined) {
      if (!how.strict) {
        ctx.finding('-', at, 'warning', `${name} goes into ${into}, but ${what}, ${JSON.stringify(text)}, ${wrong}: no pattern added, since the names it feeds may accept it and the stack deploys today`, `give ${name} an AllowedPattern that fits every name it goes into, or list it in NamingParameters to have PARAM-001 enforce the safe pattern`);
        return;
      }
      ctx.fail('-', at, `${name} goes into ${into}, but ${what}, ${JSON.stringify(text)}, ${wrong}: use a value such as "dev" or "pr123", or give ${name} an AllowedPattern of your own`);
    }
  }

  const checked = ctx.model.parameterValue(name) ?? declaration.Default;
  ctx.setTemplate(
    ['Parameters', name, 'AllowedPattern'],
    SAFE_NAME_PATTERN,
    // The long form only where it is news: the report's compact copy cuts records at 240 characters.
    `${name} goes into ${how.strict ? 'resource names' : into}, so it now accepts only ${SHAPE}${checked === undefined ? '' : ` (${JSON.stringify(String(checked))} matches)`}`,
    `declare an AllowedPattern on ${name} yourself to choose another rule`,
  );
  if (declaration.ConstraintDescription === undefined) {
    ctx.setTemplate(['Parameters', name, 'ConstraintDescription'], `must be ${SHAPE}, at most ${maxLength} characters`, 'what CloudFormation says, instead of "must match pattern", when a value does not match');
  }
  if (declaration.MaxLength === undefined) {
    ctx.setTemplate(['Parameters', name, 'MaxLength'], MAX_LENGTH, `at most ${MAX_LENGTH} characters, so names built from ${name} fit the shortest limits (32 characters for load balancers and target groups)`);
  }
  if (checked === undefined) {
    ctx.finding('-', at, 'info', `the value of ${name} is not known here, so it was not checked; CloudFormation checks it against the pattern at deploy`, `pass --param ${name}=<value> to tap-harden`);
  }
}

/** A MaxLength as written (a number or a numeric string), or undefined. */
function lengthOf(value: Json | undefined): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}
