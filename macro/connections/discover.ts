/**
 * Discovery helpers: which resources of the template a property names, following every
 * `Fn::If` branch, `Ref`/`GetAtt`, and ARNs composed with `Fn::Sub`/`Fn::Join`
 * (`arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}`).
 */
import type { RuleContext } from '../rules/types';
import type { Resolution, Guard } from '../template/resolve';

type ResourceResolution = Extract<Resolution, { kind: 'resource' }>;

/**
 * Reads `…:<service>:…:${Id.<attribute>}` in linear time, giving `Id`. (The regex
 * `/:sqs:.*:\$\{(\w+)\.QueueName\}$/` rescans the rest of the text from every `:sqs:`, which took
 * minutes on a long Sub string: found by the handler fuzzer.)
 *
 * @example
 * compositeArn('sqs', 'QueueName')('arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}'); // 'Jobs'
 */
export function compositeArn(service: string, attribute: string): (text: string) => string | undefined {
  const tail = new RegExp(`:\\$\\{([A-Za-z0-9]+)\\.${attribute}\\}$`);
  return (text) => {
    const m = tail.exec(text);
    return m && text.slice(0, m.index).includes(`:${service}:`) ? m[1] : undefined;
  };
}

/** What a property must name for one kind of destination. */
export interface DestinationSpec {
  /** `AWS::SQS::Queue` */
  type: string;
  /** Undefined when this `Ref`/`GetAtt` gives what the service needs; else the warning to report. */
  arnForm(r: ResourceResolution): string | undefined;
  /** The destination named by a composed ARN, if the text is one. */
  compositeArn?(text: string): string | undefined;
}

/** A destination of the template that a property names, with where and under which branches. */
export interface FoundDestination {
  id: string;
  path: string;
  when: Guard[];
}

/** A value that names something outside the template (a literal ARN, a parameter). */
export interface ExternalDestination {
  path: string;
  resolution: Resolution;
}

/**
 * The destinations of `spec.type` among `values` (one per resolution of a property), each once in
 * order of first mention. A resource of another type, or a `Ref` where the ARN is needed, is a
 * warning on `owner`; values outside the template are returned for the caller to report.
 */
export function destinationsIn(ctx: RuleContext, owner: string, values: ReadonlyArray<{ path: string; resolution: Resolution }>, spec: DestinationSpec): { found: FoundDestination[]; external: ExternalDestination[] } {
  const found: FoundDestination[] = [];
  const external: ExternalDestination[] = [];
  for (const { path, resolution: r } of values) {
    if (r.kind === 'no-value') continue;
    let id: string | undefined;
    if (r.kind === 'resource') {
      if (ctx.model.type(r.id) !== spec.type) {
        ctx.finding(owner, path, 'warning', `names ${r.id}, a ${ctx.model.type(r.id)}, not an ${spec.type}`);
        continue;
      }
      const wrong = spec.arnForm(r);
      if (wrong !== undefined) ctx.finding(owner, path, 'warning', wrong);
      id = r.id;
    } else if (r.kind === 'composite' && spec.compositeArn) {
      const named = spec.compositeArn(r.text);
      if (named !== undefined && ctx.model.type(named) === spec.type) id = named;
    }
    if (id === undefined) external.push({ path, resolution: r });
    else if (!found.some((f) => f.id === id)) found.push({ id, path, when: r.when });
  }
  return { found, external };
}
