/**
 * Which KMS keys of the template a `KmsKeyId`-style value points at: a key (by `Ref`, its
 * `Arn`, or a Sub that builds its ARN), or an `AWS::KMS::Alias` of the template whose
 * `TargetKeyId` is such a key — in every `Fn::If` branch, with the branch's guards.
 */
import { canonicalString } from '../template/intrinsics';
import { canonical, type Json } from '../template/json';
import type { TemplateModel } from '../template/model';
import { resolve, type Guard } from '../template/resolve';

export interface KeyTarget {
  key: string;
  /** The alias it was reached through, if any. */
  alias?: string;
  when: Guard[];
}

/** Whether a value is external: resolves to a parameter or literal, not to a template key. */
export interface ExternalKey {
  /** The key id, ARN or alias as the deploy will see it, when known. */
  value?: string;
  /** The parameter it comes from, if any. */
  parameter?: string;
  when: Guard[];
}

export function keysOf(model: TemplateModel, value: Json | undefined): { keys: KeyTarget[]; external: ExternalKey[] } {
  const keys: KeyTarget[] = [];
  const external: ExternalKey[] = [];
  const aliases = model.idsOfType('AWS::KMS::Alias');
  for (const r of resolve(value, model)) {
    if (r.kind === 'resource' || r.kind === 'composite') {
      const ids = r.kind === 'resource' ? [r.id] : r.references.map((x) => x.name).filter((n) => model.isResource(n));
      for (const id of ids) {
        const type = model.type(id);
        if (type === 'AWS::KMS::Key') keys.push({ key: id, when: r.when });
        else if (type === 'AWS::KMS::Alias') keys.push(...aliasTargets(model, id, r.when));
      }
    } else if (r.kind === 'literal' && typeof r.value === 'string') {
      const alias = aliases.find((a) => canonical(canonicalString(model.get(a, ['Properties', 'AliasName']) ?? null)) === canonical(r.value));
      if (alias) keys.push(...aliasTargets(model, alias, r.when));
      else external.push({ value: r.value, when: r.when });
    } else if (r.kind === 'parameter') {
      external.push(r.value === undefined ? { parameter: r.name, when: r.when } : { parameter: r.name, value: r.value, when: r.when });
    }
  }
  return { keys, external };
}

function aliasTargets(model: TemplateModel, alias: string, when: Guard[]): KeyTarget[] {
  return resolve(model.get(alias, ['Properties', 'TargetKeyId']), model)
    .filter((r): r is Extract<typeof r, { kind: 'resource' }> => r.kind === 'resource' && model.type(r.id) === 'AWS::KMS::Key')
    .map((r) => ({ key: r.id, alias, when: [...when, ...r.when] }));
}

/**
 * True for a symmetric encryption key (`KeySpec` SYMMETRIC_DEFAULT and `KeyUsage` ENCRYPT_DECRYPT,
 * both the defaults); undefined when either is computed at deploy time.
 */
export function isSymmetricEncryptionKey(model: TemplateModel, key: string): boolean | undefined {
  const spec = model.get(key, ['Properties', 'KeySpec']);
  const usage = model.get(key, ['Properties', 'KeyUsage']);
  if ((spec !== undefined && typeof spec !== 'string') || (usage !== undefined && typeof usage !== 'string')) return undefined;
  return (spec === undefined || spec === 'SYMMETRIC_DEFAULT') && (usage === undefined || usage === 'ENCRYPT_DECRYPT');
}
