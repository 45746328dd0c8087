/**
 * LAMBDA-001: functions on deprecated Lambda runtimes are reported before CloudFormation creates
 * half the stack and then fails on the function.
 *
 * The AWS Lambda Developer Guide, "Lambda runtimes", section "Runtime deprecation policy": after a
 * runtime's deprecation date Lambda no longer patches it; from its "Block function create" date
 * new functions cannot use it, and from its "Block function update" date existing functions cannot
 * be updated with it. CloudFormation finds out only when it reaches the function, after creating
 * the resources before it, and rolls the stack back. The dates are one table
 * (`shared/lambda-runtimes.ts`, with the date it was taken).
 *
 * The macro cannot tell a stack create from an update, and an update that leaves a function as it
 * is still succeeds after the update block, so a blocked runtime is an error finding (the
 * `--check` gate fails on it, and the report says the stack cannot be created), not a failed
 * deploy. The option `BlockDeprecatedRuntimes: true` (usually an organisation default) fails the
 * deploy at transform time on any runtime past its deprecation date, as Security Hub's Lambda.2
 * ("Lambda functions should use supported runtimes") asks.
 *
 * Expectations
 * - Skips: functions without `Runtime` (container images); runtimes the table does not list
 *   (custom runtimes are `provided.*`, which it lists; a typo is cfn-lint's E3030).
 * - Looks at: `AWS::Lambda::Function` `Runtime`; `AWS::Serverless::Function` `Runtime`, else the
 *   template's `Globals.Function.Runtime` (a SAM template the CLI could not expand, or a deploy in
 *   which SAM runs after the macro). A `Ref` to a parameter is checked against the deploy's value
 *   (`templateParameterValues`, the CLI's `--param`), else the parameter's `Default`; each
 *   `Fn::If` branch is checked; `Fn::FindInMap` is looked up when its keys are known (literals, the
 *   region, parameters). Any other intrinsic is reported as not checked (info).
 * - Already compliant: a runtime before its deprecation date.
 * - Reports: warning past the deprecation date; error once creation is blocked, and once updates
 *   are blocked too; each names the runtime, its dates and the runtime to move to.
 * - Fails: with `BlockDeprecatedRuntimes: true`, on any runtime past its deprecation date.
 * - Never changes the template: moving to another runtime is a code change the team must test.
 * - The day compared with the table is today (UTC), or the option `RuntimeCheckDate`
 *   (YYYY-MM-DD): "will this stack still deploy on that day?", and what the tests pin.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { getOwn, isObject, type Json } from '../template/json';
import { resolve, type Guard } from '../template/resolve';
import { RUNTIME_TABLE_DATE, runtimeLifecycle, runtimeState, type RuntimeLifecycle } from './shared/lambda-runtimes';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A runtime value and where it came from, for the finding's text. */
interface Candidate {
  runtime: string;
  /** How the value was found, e.g. "from parameter NodeRuntime's Default". */
  source?: string;
  when: Guard[];
}

export const lambdaDeprecatedRuntimes: Rule = {
  id: 'LAMBDA-001',
  title: 'Report functions on deprecated Lambda runtimes',
  rationale:
    'Once Lambda blocks function creation on a runtime, CloudFormation creates the resources before the function, fails on it and rolls the stack back. The macro reports a deprecated runtime as a warning and a blocked one as an error, with the dates and the runtime to move to, and never rewrites the runtime (the code must be tested on the new one); BlockDeprecatedRuntimes: true fails the deploy instead.',
  resourceTypes: ['AWS::Lambda::Function', 'AWS::Serverless::Function'],
  changes: [],
  references: [
    'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (Supported and Deprecated runtimes tables: Deprecation date, Block function create, Block function update)',
    'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtime-support-policy (Runtime deprecation policy: what each date stops)',
    `cfn-lint src/cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json (the same table, read by E2531, E2533 and W2531; copied on ${RUNTIME_TABLE_DATE})`,
    'https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html (Globals: Function Runtime)',
    'https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-2 (Lambda.2: functions should use supported runtimes)',
  ],
  satisfies: ['cfn-lint E2531 (reported)', 'cfn-lint E2533 (reported)', 'cfn-lint W2531 (reported)', 'Security Hub Lambda.2 (reported)'],
  settings: [
    {
      name: 'BlockDeprecatedRuntimes',
      description: 'true: a function whose runtime is past its deprecation date fails the deploy at transform time (LAMBDA-001), instead of being reported.',
      parse(value) {
        if (typeof value === 'boolean') return value;
        throw new Error(`must be true or false, not ${JSON.stringify(value)}`);
      },
    },
    {
      name: 'RuntimeCheckDate',
      description: 'The day (YYYY-MM-DD) LAMBDA-001 compares with the runtime deprecation dates, instead of today: whether the template will still deploy then.',
      parse(value) {
        const m = typeof value === 'string' ? DATE.exec(value) : null;
        const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
        if (!m || !d || d.toISOString().slice(0, 10) !== value) throw new Error(`must be a date written YYYY-MM-DD, not ${JSON.stringify(value)}`);
        return value;
      },
    },
  ],
  apply(fn, ctx) {
    const today = (ctx.setting('RuntimeCheckDate') as string | undefined) ?? new Date().toISOString().slice(0, 10);
    const blocked: string[] = [];
    for (const c of candidates(fn, ctx)) {
      const life = runtimeLifecycle(c.runtime);
      if (!life) continue;
      const state = runtimeState(life, today);
      if (state === 'current') continue;
      const text = describe(c, life, state, today);
      ctx.finding(fn.id, 'Properties.Runtime', state === 'deprecated' ? 'warning' : 'error', text, moveTo(life));
      blocked.push(`${text}: ${moveTo(life)}`);
    }
    if (blocked.length && ctx.setting('BlockDeprecatedRuntimes') === true) {
      ctx.fail(fn.id, 'Properties.Runtime', `${blocked.join('; ')} (the option BlockDeprecatedRuntimes: true fails the deploy on a deprecated runtime)`);
    }
  },
};

/** The runtime values the function can deploy with. */
function candidates(fn: ResourceView, ctx: RuleContext): Candidate[] {
  // A container image brings its own runtime; SAM does not apply Globals.Function.Runtime to it.
  if (fn.properties.PackageType === 'Image') return [];
  let value: Json | undefined = fn.properties.Runtime;
  let origin: string | undefined;
  if (value === undefined && fn.type === 'AWS::Serverless::Function') {
    const globals = getOwn(ctx.model.doc, 'Globals');
    const fnGlobals = isObject(globals) ? getOwn(globals, 'Function') : undefined;
    value = isObject(fnGlobals) ? getOwn(fnGlobals, 'Runtime') : undefined;
    origin = 'from Globals.Function.Runtime';
  }
  if (value === undefined) return [];
  const out: Candidate[] = [];
  for (const r of resolve(value, ctx.model)) {
    const base = { when: r.when, ...(origin ? { source: origin } : {}) };
    if (r.kind === 'literal' && typeof r.value === 'string') {
      out.push({ ...base, runtime: r.value });
    } else if (r.kind === 'parameter') {
      if (r.value !== undefined) {
        out.push({ runtime: r.value, when: r.when, source: `from the deploy's value of parameter ${r.name}${origin ? `, ${origin}` : ''}` });
        continue;
      }
      const def = parameterDefault(ctx, r.name);
      if (def !== undefined) out.push({ runtime: def, when: r.when, source: `from parameter ${r.name}'s Default, as its deploy value is not known here${origin ? `, ${origin}` : ''}` });
      else ctx.finding(fn.id, 'Properties.Runtime', 'info', `the runtime comes from parameter ${r.name}, which has no Default and whose deploy value is not known here, so it was not checked against the Lambda runtime deprecation dates`, 'pass the value (tap-harden --param) to have it checked');
    } else if (r.kind === 'unknown' && findInMap(r.value, ctx) !== undefined) {
      const found = findInMap(r.value, ctx) as { runtime: string; key: string };
      out.push({ runtime: found.runtime, when: r.when, source: `from Mappings ${found.key}${origin ? `, ${origin}` : ''}` });
    } else if (r.kind === 'unknown' || r.kind === 'composite') {
      ctx.finding(fn.id, 'Properties.Runtime', 'info', `the runtime is computed at deploy time${origin ? ` (${origin})` : ''}, so it was not checked against the Lambda runtime deprecation dates`);
    }
  }
  return out;
}

/**
 * The value of `Fn::FindInMap [Map, Top, Second]` when each key is known here: a literal, the
 * region (`!Ref AWS::Region`, when the region is known), or a parameter's deploy value or Default.
 */
function findInMap(value: Json, ctx: RuleContext): { runtime: string; key: string } | undefined {
  if (!isObject(value) || !Array.isArray(value['Fn::FindInMap']) || value['Fn::FindInMap'].length !== 3) return undefined;
  const keys: string[] = [];
  for (const k of value['Fn::FindInMap']) {
    if (typeof k === 'string') keys.push(k);
    else if (isObject(k) && k.Ref === 'AWS::Region' && ctx.region) keys.push(ctx.region);
    else if (isObject(k) && typeof k.Ref === 'string' && ctx.model.isParameter(k.Ref)) {
      const v = ctx.model.parameterValue(k.Ref) ?? parameterDefault(ctx, k.Ref);
      if (v === undefined) return undefined;
      keys.push(v);
    } else return undefined;
  }
  const [map, top, second] = keys as [string, string, string];
  const mappings = getOwn(ctx.model.doc, 'Mappings');
  const m = isObject(mappings) ? getOwn(mappings, map) : undefined;
  const t = isObject(m) ? getOwn(m, top) : undefined;
  const runtime = isObject(t) ? getOwn(t, second) : undefined;
  return typeof runtime === 'string' ? { runtime, key: `${map}.${top}.${second}` } : undefined;
}

function parameterDefault(ctx: RuleContext, name: string): string | undefined {
  const params = getOwn(ctx.model.doc, 'Parameters');
  const p = isObject(params) ? getOwn(params, name) : undefined;
  const def = isObject(p) ? getOwn(p, 'Default') : undefined;
  return typeof def === 'string' ? def : undefined;
}

function describe(c: Candidate, life: RuntimeLifecycle, state: Exclude<ReturnType<typeof runtimeState>, 'current'>, today: string): string {
  const where = [c.source, ...c.when.map((g) => `when condition ${g.condition} is ${g.holds}`)].filter(Boolean).join(', ');
  const runtime = `runtime ${c.runtime}${where ? ` (${where})` : ''}`;
  const asOf = `as of ${today}`;
  switch (state) {
    case 'deprecated':
      return `${runtime} was deprecated on ${life.deprecated} and gets no more security patches; Lambda blocks creating functions with it from ${life.createBlock} and updating them from ${life.updateBlock} (${asOf})`;
    case 'create-blocked':
      return `${runtime} was deprecated on ${life.deprecated}, and Lambda blocks creating functions with it since ${life.createBlock}: a new stack fails on this function after creating the resources before it, and rolls back; updates are blocked from ${life.updateBlock} (${asOf})`;
    case 'update-blocked':
      return `${runtime} was deprecated on ${life.deprecated}; Lambda blocks creating functions with it since ${life.createBlock} and updating them since ${life.updateBlock}: a new stack fails on this function, and so does any update that changes it (${asOf})`;
  }
}

function moveTo(life: RuntimeLifecycle): string {
  return life.successor
    ? `move the function to ${life.successor} (Runtime: ${life.successor}) once its code is tested there`
    : 'move the function to a newer runtime of its language (see the Lambda runtimes page) once its code is tested there';
}
