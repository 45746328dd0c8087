/**
 * Discovery of Lambda functions named by ARN: a subscription's `Endpoint`, a rule target's `Arn`,
 * an integration's URI. The function, alias or version of the template a value names, whichever
 * way it is written (`!GetAtt Fn.Arn`, `!Ref Alias`, `!Sub arn:${AWS::Partition}:lambda:…:function:${Fn}`,
 * `!Join`), every `Fn::If` branch followed; `!Ref Fn` (the function's name) where the service
 * needs the ARN is a warning; a qualified ARN built around a function (`${Fn.Arn}:live`) cannot be
 * told apart from another alias and is a warning naming what the permission must say.
 */
import type { RuleContext } from '../rules/types';
import type { Guard, Resolution } from '../template/resolve';
import { FUNCTION_TYPES } from './permission';

/** A function (alias, version) of the template that a value names, with where and under which branches. */
export interface FoundFunction {
  id: string;
  path: string;
  when: Guard[];
}

const FUNCTION_ARN_TAIL = /:function:\$\{([A-Za-z0-9]+)\}$/;

/**
 * The functions of the template among `values`, each once; values that name something outside
 * the template are returned as `external` for the caller to report. `service` is the service
 * that invokes (`SNS`), for messages.
 *
 * @example
 * lambdaTargetsIn(ctx, 'Sub', [{ path: 'Properties.Endpoint', resolution }], 'SNS'); // { found: [{ id: 'Worker', … }], external: [] }
 */
export function lambdaTargetsIn(ctx: RuleContext, owner: string, values: ReadonlyArray<{ path: string; resolution: Resolution }>, service: string): { found: FoundFunction[]; external: Array<{ path: string; resolution: Resolution }> } {
  const model = ctx.model;
  const found: FoundFunction[] = [];
  const external: Array<{ path: string; resolution: Resolution }> = [];
  const add = (id: string, path: string, when: Guard[]) => {
    if (!found.some((f) => f.id === id && JSON.stringify(f.when) === JSON.stringify(when))) found.push({ id, path, when });
  };
  for (const { path, resolution: r } of values) {
    if (r.kind === 'no-value') continue;
    if (r.kind === 'resource') {
      const type = model.type(r.id) ?? '';
      if (!FUNCTION_TYPES.has(type)) {
        ctx.finding(owner, path, 'warning', `names ${r.id}, a ${type}, not a Lambda function: ${service} cannot invoke it`);
        continue;
      }
      if (type === 'AWS::Lambda::Function' && r.attribute !== 'Arn') {
        ctx.finding(owner, path, 'warning', `${r.attribute === undefined ? `!Ref ${r.id} gives the function's name` : `${r.id}.${r.attribute} is not the function's ARN`}, but ${service} needs its ARN: use !GetAtt ${r.id}.Arn`);
      }
      add(r.id, path, r.when);
      continue;
    }
    if (r.kind === 'composite') {
      const m = FUNCTION_ARN_TAIL.exec(r.text);
      if (m && r.text.includes(':lambda:') && model.type(m[1]) === 'AWS::Lambda::Function') {
        add(m[1], path, r.when);
        continue;
      }
      const named = r.references.map((x) => x.name).filter((n) => FUNCTION_TYPES.has(model.type(n) ?? ''));
      if (named.length) {
        ctx.finding(owner, path, 'warning', `cannot tell which function, version or alias of ${[...new Set(named)].join(', ')} this ARN names: make sure an AWS::Lambda::Permission for exactly that ARN lets ${service} invoke it`);
        continue;
      }
    }
    external.push({ path, resolution: r });
  }
  return { found, external };
}

/** Two lists of guards can hold together (no condition required both to hold and not to). */
export function compatible(a: readonly Guard[], b: readonly Guard[]): boolean {
  return a.every((x) => b.every((y) => x.condition !== y.condition || x.holds === y.holds));
}

/** The union of guard lists, each condition once. */
export function joinGuards(...lists: ReadonlyArray<readonly Guard[]>): Guard[] {
  const out: Guard[] = [];
  for (const l of lists) for (const g of l) if (!out.some((o) => o.condition === g.condition && o.holds === g.holds)) out.push(g);
  return out;
}

/** How a resolution that names nothing of the template is written, for the connections view. */
export function writtenAs(r: Resolution): string {
  if (r.kind === 'literal') return String(r.value);
  if (r.kind === 'parameter') return `parameter ${r.name}`;
  if (r.kind === 'composite') return r.text;
  if (r.kind === 'resource') return `${r.id}${r.attribute ? `.${r.attribute}` : ''}`;
  if (r.kind === 'pseudo') return r.name;
  return 'a value computed at deploy time';
}
