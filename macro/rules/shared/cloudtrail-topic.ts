/**
 * The topics a trail's `SnsTopicName` names: a `Ref`/`GetAtt` of a topic, a composed ARN, or a
 * literal (or parameter value) equal to a template topic's `TopicName`.
 */
import { canonicalString } from '../../template/intrinsics';
import { canonical, type Json } from '../../template/json';
import type { TemplateModel } from '../../template/model';
import { resolve, type Resolution } from '../../template/resolve';

export function resolveTopics(model: TemplateModel, value: Json): Array<{ path: string; resolution: Resolution }> {
  const path = 'Properties.SnsTopicName';
  return resolve(value, model).map((r) => {
    if (r.kind !== 'literal' && r.kind !== 'parameter') return { path, resolution: r };
    const text = r.kind === 'literal' ? String(r.value) : r.value;
    if (text === undefined) return { path, resolution: r };
    const topic = model.idsOfType('AWS::SNS::Topic').find((t) => {
      const name = model.get(t, ['Properties', 'TopicName']);
      return name !== undefined && (canonical(canonicalString(name)) === canonical(text) || text.endsWith(`:${String(canonicalString(name))}`));
    });
    return topic === undefined ? { path, resolution: r } : { path, resolution: { kind: 'resource', id: topic, attribute: 'TopicName', when: r.when } };
  });
}
