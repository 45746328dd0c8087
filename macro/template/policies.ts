/**
 * One policy per target. S3 allows one bucket policy per bucket, a key has one key policy, and a
 * queue or topic policy resource replaces whatever policy the queue or topic had: a second policy
 * resource for the same target silently overwrites the first. So rules never create a policy
 * resource beside an existing one: they contribute statements here, which finds the target's
 * policy (or creates it once), and merges by `Sid`, recognising an equivalent statement that is
 * already there under another Sid.
 */
import { canonicalString, references } from './intrinsics';
import { canonical, deepClone, getOwn, isObject, type Json, type JsonObject } from './json';
import { newLogicalId } from './logical-ids';
import type { TemplateModel } from './model';
import { resolve } from './resolve';
import { statementCovers } from './statements';

export type PolicyKind = 'bucket' | 'queue' | 'topic' | 'key';

interface PolicyShape {
  targetType: string;
  /** The separate policy resource type; undefined when the policy is a property of the target. */
  policyType?: string;
  /** The policy resource's property naming its target(s). */
  link?: string;
  linkIsList?: boolean;
  /**
   * The one-target variant of the policy resource (`AWS::SQS::QueueInlinePolicy`,
   * `AWS::SNS::TopicInlinePolicy`) and its property naming the target. It holds the target's
   * whole policy just as the list form does, so it counts as the target's policy too.
   */
  inline?: { policyType: string; link: string };
  /** Where the document lives: on the policy resource, or on the target itself. */
  document: string;
}

const SHAPES: Record<PolicyKind, PolicyShape> = {
  bucket: { targetType: 'AWS::S3::Bucket', policyType: 'AWS::S3::BucketPolicy', link: 'Bucket', document: 'PolicyDocument' },
  queue: { targetType: 'AWS::SQS::Queue', policyType: 'AWS::SQS::QueuePolicy', link: 'Queues', linkIsList: true, inline: { policyType: 'AWS::SQS::QueueInlinePolicy', link: 'Queue' }, document: 'PolicyDocument' },
  topic: { targetType: 'AWS::SNS::Topic', policyType: 'AWS::SNS::TopicPolicy', link: 'Topics', linkIsList: true, inline: { policyType: 'AWS::SNS::TopicInlinePolicy', link: 'TopicArn' }, document: 'PolicyDocument' },
  key: { targetType: 'AWS::KMS::Key', document: 'KeyPolicy' },
};

/**
 * The statement a key policy starts with when the template gives none: the account root may
 * administer the key, which lets IAM policies grant its use. It is the policy KMS itself applies
 * to a key created without one ("Default key policy", AWS KMS Developer Guide,
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export const DEFAULT_KEY_POLICY_STATEMENT: JsonObject = {
  Sid: 'EnableIAMUserPermissions',
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
  Action: 'kms:*',
  Resource: '*',
};

export type StatementOutcome =
  /** An equivalent statement is there already (under `sid`). */
  | { status: 'present'; policyId: string; sid?: string }
  /** The statement was added; `created` when the policy resource (or key policy) is new. */
  | { status: 'added'; policyId: string; sid: string; created: boolean; path: string }
  /** The policy cannot be edited (an intrinsic where the statements should be). */
  | { status: 'blocked'; policyId: string; reason: string };

/** What a policy resource's link names: the resources it resolves to, and its canonical spellings. */
interface Link {
  /** The link's entries when this was computed; compared by identity to tell whether it still holds. */
  entries: Array<Json | undefined>;
  resources: Set<string>;
  names: Set<string>;
  /** Names in the link that are not resources (yet): a resource added under one changes the link. */
  waiting: Set<string>;
}

/**
 * Every policy resource of a kind, by what its link names. Every rule that adds a statement looks
 * up the target's policy; reading every policy's link on every lookup made hardening quadratic in
 * the number of buckets, queues and topics (found by the benchmark). The index catches up with the
 * model's writes (`writtenSince`) instead of rereading every policy.
 */
interface PolicyIndex {
  serial: number;
  links: Map<string, Link>;
  byTarget: Map<string, Set<string>>;
  byName: Map<string, Set<string>>;
  waiting: Map<string, Set<string>>;
}

const INDEXES = new WeakMap<TemplateModel, Map<PolicyKind, PolicyIndex>>();

function add(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(id);
}

/** Where a policy resource of the kind names its target(s), or undefined for other resources. */
function linkPath(model: TemplateModel, kind: PolicyKind, id: string): { path: string; isList: boolean } | undefined {
  const shape = SHAPES[kind];
  const type = model.type(id);
  if (type === shape.policyType && shape.link) return { path: shape.link, isList: shape.linkIsList === true };
  if (shape.inline && type === shape.inline.policyType) return { path: shape.inline.link, isList: false };
  return undefined;
}

/** Reads one resource's link into the index (dropping what it said before), unchanged links cheaply. */
function reindex(model: TemplateModel, kind: PolicyKind, index: PolicyIndex, id: string): void {
  const at = linkPath(model, kind, id);
  const value = at === undefined ? undefined : model.get(id, ['Properties', at.path]);
  const entries = at?.isList && Array.isArray(value) ? [...value] : [value];
  const old = index.links.get(id);
  if (at !== undefined && old !== undefined && old.entries.length === entries.length && old.entries.every((e, i) => e === entries[i]) && ![...old.waiting].some((n) => model.isResource(n))) return;
  if (old !== undefined) {
    for (const r of old.resources) index.byTarget.get(r)?.delete(id);
    for (const n of old.names) index.byName.get(n)?.delete(id);
    for (const n of old.waiting) index.waiting.get(n)?.delete(id);
    index.links.delete(id);
  }
  if (at === undefined) return;
  const link: Link = { entries, resources: new Set(), names: new Set(), waiting: new Set() };
  for (const entry of entries) {
    if (entry === undefined) continue;
    for (const r of resolve(entry, model)) if (r.kind === 'resource') link.resources.add(r.id);
    for (const ref of references(entry)) if (!model.isResource(ref.name)) link.waiting.add(ref.name);
    link.names.add(canonical(canonicalString(entry)));
  }
  index.links.set(id, link);
  for (const r of link.resources) add(index.byTarget, r, id);
  for (const n of link.names) add(index.byName, n, id);
  for (const n of link.waiting) add(index.waiting, n, id);
}

function indexFor(model: TemplateModel, kind: PolicyKind): PolicyIndex {
  let perKind = INDEXES.get(model);
  if (perKind === undefined) INDEXES.set(model, (perKind = new Map()));
  let index = perKind.get(kind);
  if (index === undefined) {
    index = { serial: model.serial, links: new Map(), byTarget: new Map(), byName: new Map(), waiting: new Map() };
    perKind.set(kind, index);
    const shape = SHAPES[kind];
    for (const type of [shape.policyType, shape.inline?.policyType]) if (type) for (const id of model.idsOfType(type)) reindex(model, kind, index, id);
    return index;
  }
  if (index.serial === model.serial) return index;
  const seen = new Set<string>();
  for (const id of model.writtenSince(index.serial)) {
    if (seen.has(id)) continue;
    seen.add(id);
    reindex(model, kind, index, id);
    // A new resource may be what a link named before it existed.
    for (const waiting of [...(index.waiting.get(id) ?? [])]) reindex(model, kind, index, waiting);
  }
  index.serial = model.serial;
  return index;
}

/** The policy resources that apply to a target (the list and the inline forms alike), in template order. */
export function findPolicies(model: TemplateModel, kind: PolicyKind, targetId: string): string[] {
  const shape = SHAPES[kind];
  if (!shape.policyType || !shape.link) return [targetId];
  const index = indexFor(model, kind);
  const found = new Set(index.byTarget.get(targetId));
  const name = kind === 'bucket' ? model.get(targetId, ['Properties', 'BucketName']) : undefined;
  if (name !== undefined) for (const id of index.byName.get(canonical(canonicalString(name))) ?? []) found.add(id);
  return [...found].sort((a, b) => model.position(a) - model.position(b));
}

export interface EnsureOptions {
  /**
   * Also counts a statement as present when this says it covers what is wanted: the connection
   * model passes its judgement for the concrete connection (`connections/covers.ts`), so a
   * narrower statement by any Sid is enough.
   */
  covers?: (statement: Json) => boolean;
  /** Names a new policy resource (the engine's per-run allocator, so contested ids are never handed out). */
  newId?: (ownerId: string, suffix: string, taken: (id: string) => boolean) => string;
}

/**
 * Makes sure the target's policy holds `statement` (which must carry a `Sid`): finds the policy
 * (or creates it, with the target's `Condition`), and adds the statement unless an equivalent one
 * is present. A Sid already used by a different statement gets a `TapHardening` suffix rather
 * than overwriting the user's statement.
 *
 * @example
 * ensureStatement(model, 'bucket', 'Data', denyInsecureTransport);
 * // → { status: 'added', policyId: 'DataPolicy', sid: 'DenyInsecureTransport', created: true, ... }
 */
export function ensureStatement(model: TemplateModel, kind: PolicyKind, targetId: string, wanted: JsonObject, options: EnsureOptions = {}): StatementOutcome {
  const newId = options.newId ?? newLogicalId;
  const shape = SHAPES[kind];
  // The template gets its own copy: never an object the caller (or this module) keeps.
  const statement = deepClone(wanted);
  const sid = typeof statement.Sid === 'string' ? statement.Sid : 'TapHardening';
  const policyId = findPolicies(model, kind, targetId)[0];
  if (policyId === undefined) {
    const id = newId(targetId, 'Policy', (x) => model.isResource(x));
    const linkValue: Json = shape.linkIsList ? [{ Ref: targetId }] : { Ref: targetId };
    const body: JsonObject = { Type: shape.policyType as string };
    const condition = model.condition(targetId);
    if (condition !== undefined) body.Condition = condition;
    body.Properties = { [shape.link as string]: linkValue, [shape.document]: { Version: '2012-10-17', Statement: [statement] } };
    model.addResource(id, body);
    return { status: 'added', policyId: id, sid, created: true, path: `Properties.${shape.document}.Statement[0]` };
  }

  const docPath = ['Properties', shape.document];
  const properties = model.get(policyId, ['Properties']);
  if (isObject(properties) && intrinsicLike(properties)) {
    return { status: 'blocked', policyId, reason: `its Properties are ${describe(properties)}, computed at deploy time, so its statements cannot be edited` };
  }
  const document = model.get(policyId, docPath);
  if (document === undefined && kind === 'key') {
    model.set(policyId, docPath, { Version: '2012-10-17', Statement: [deepClone(DEFAULT_KEY_POLICY_STATEMENT), statement] });
    return { status: 'added', policyId, sid, created: true, path: `Properties.${shape.document}.Statement[1]` };
  }
  if (!isObject(document) || intrinsicLike(document)) {
    return { status: 'blocked', policyId, reason: `Properties.${shape.document} is ${describe(document)}, so its statements cannot be edited` };
  }
  const raw = getOwn(document, 'Statement');
  if (raw !== undefined && !Array.isArray(raw) && !(isObject(raw) && !intrinsicLike(raw))) {
    return { status: 'blocked', policyId, reason: `Properties.${shape.document}.Statement is ${describe(raw)}, so it cannot be edited` };
  }
  const statements: Json[] = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const present = statements.find((s) => statementCovers(s, statement) || (options.covers?.(s) ?? false));
  if (present !== undefined) {
    const presentSid = isObject(present) && typeof present.Sid === 'string' ? present.Sid : undefined;
    return presentSid === undefined ? { status: 'present', policyId } : { status: 'present', policyId, sid: presentSid };
  }
  const used = new Set(statements.map((s) => (isObject(s) && typeof s.Sid === 'string' ? s.Sid : '')));
  let finalSid = sid;
  if (used.has(finalSid)) finalSid = `${sid}TapHardening`;
  if (used.has(finalSid)) return { status: 'blocked', policyId, reason: `Sids ${sid} and ${finalSid} are both used by other statements` };
  const added = finalSid === sid ? statement : { ...statement, Sid: finalSid };
  const index = statements.length;
  // Appending in place touches only the new statement (a single-object Statement becomes a list).
  if (Array.isArray(raw)) model.set(policyId, [...docPath, 'Statement', index], added);
  else model.set(policyId, [...docPath, 'Statement'], [...statements, added]);
  return { status: 'added', policyId, sid: finalSid, created: false, path: `Properties.${shape.document}.Statement[${index}]` };
}

function intrinsicLike(value: JsonObject): boolean {
  return Object.keys(value).some((k) => k.startsWith('Fn::') || k === 'Ref');
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'missing';
  if (isObject(value)) {
    const fn = Object.keys(value).find((k) => k.startsWith('Fn::') || k === 'Ref');
    return fn ? `an intrinsic (${fn})` : 'an object';
  }
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}
