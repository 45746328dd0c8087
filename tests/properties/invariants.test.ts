/**
 * DESIGN.md's invariants as properties over generated templates, in both modes:
 * nothing lost, idempotent, deterministic, input not mutated, valid (no cycle, no dangling
 * name), new resources carry their owner's condition, no injected Allow for everyone, and no
 * statement added beside one of the input that already allowed the same request.
 * A second property runs over templates that make every connection kind of the catalogue
 * (`connectionTemplate`): a connection an input grant already covers (exact or narrower) is
 * `present` in the connections view and its policy, permission or role gains no Allow; and in both
 * properties every statement the run adds is no wider than a connection (no `*` principal, no `*`
 * resource in a bucket, queue or topic policy, no account root in a key statement, a source
 * condition on every service-principal statement but where its kind documents why not).
 * `FC_RUNS=50000 npx jest tests/properties` runs many more cases than the default (1,500 per mode,
 * a tenth of that for the connection templates; the timeout grows with the count; 10,000 per mode
 * took 90 s per mode on a 2-CPU machine).
 */
import fc from 'fast-check';
import { harden, type HardenResult } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import { findCycle } from '../../macro/engine/invariants';
import { isChange } from '../../macro/report/records';
import { deepClone, isObject, type Json, type JsonObject } from '../../macro/template/json';
import { danglingReferences, TemplateModel } from '../../macro/template/model';
import { connectionTemplate, template, type CoveredConnection } from '../support/arbitraries';
import { statementAllows } from '../../macro/connections/covers';
import type { Request } from '../../macro/connections/types';
import { withoutReport } from '../support/fixtures';
import { DEFAULT_KEY_POLICY_STATEMENT } from '../../macro/template/policies';

const RUNS = Number(process.env.FC_RUNS ?? 1500);
/** Connection-scenario templates are larger (up to three scenarios of 5 to 12 resources each): fewer runs. */
const CONNECTION_RUNS = Math.max(1, Math.round(RUNS / 10));

/** Every leaf of a value as [path, value], paths like `Resources.A.Properties.X[0]`. */
function leaves(value: Json, path = '', out: Array<[string, Json]> = []): Array<[string, Json]> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (isObject(value) && Object.keys(value).length) for (const k of Object.keys(value)) leaves(value[k], path ? `${path}.${k}` : k, out);
  else out.push([path, value]);
  return out;
}

/** `Properties.KeyPolicy.Statement[2]` → ['Properties', 'KeyPolicy', 'Statement', 2] */
function pathOf(path: string): Array<string | number> {
  return path.split(/\.|\[|\]/).filter((x) => x !== '').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/**
 * The concrete request an added statement stands for (its principal, actions, resource and the
 * condition values it pins), and the input statement of the same policy that already allowed that
 * request, if any: the statement should then not have been added.
 */
function coveredByInput(input: JsonObject, policy: string, added: Json): Json | undefined {
  if (!isObject(added) || added.Effect !== 'Allow' || !isObject(added.Principal) || added.Principal.Service === undefined) return undefined;
  const before = (input.Resources as JsonObject)[policy];
  if (!isObject(before) || !isObject(before.Properties)) return undefined;
  const doc = before.Properties.KeyPolicy ?? before.Properties.PolicyDocument;
  const statements = isObject(doc) ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
  const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const context: Record<string, Json[]> = {};
  for (const block of Object.values(isObject(added.Condition) ? added.Condition : {})) {
    if (isObject(block)) for (const [k, v] of Object.entries(block)) context[k] = list(v);
  }
  const request: Request = {
    principal: list(added.Principal.Service)[0],
    actions: list(added.Action).map((a) => String(a).replace(/\*$/, '')),
    resources: list(added.Resource).slice(0, 1),
    context,
  };
  return statements.find((e) => e !== undefined && statementAllows(e, request));
}

function withMode(t: JsonObject, mode: 'fix' | 'report'): JsonObject {
  return { ...t, Metadata: { TapHardening: { Mode: mode } } };
}

const run = (t: JsonObject) => harden({ template: t, region: 'us-east-1', accountId: '123456789012' });

/** Where a resource of each type keeps its policy documents, and what kind of document each is. */
type DocumentKind = 'resource' | 'key' | 'identity' | 'trust';
const RESOURCE_POLICIES = new Set(['AWS::S3::BucketPolicy', 'AWS::SQS::QueuePolicy', 'AWS::SQS::QueueInlinePolicy', 'AWS::SNS::TopicPolicy', 'AWS::SNS::TopicInlinePolicy']);

/** Every statement of a resource's policy documents, with its kind and a stable place (`Policies.Keys`). */
function statementsOf(body: Json | undefined): Array<{ place: string; kind: DocumentKind; statement: JsonObject }> {
  if (!isObject(body) || !isObject(body.Properties)) return [];
  const props = body.Properties;
  const docs: Array<[string, DocumentKind, Json | undefined]> = [];
  if (RESOURCE_POLICIES.has(String(body.Type))) docs.push(['PolicyDocument', 'resource', props.PolicyDocument]);
  if (body.Type === 'AWS::KMS::Key') docs.push(['KeyPolicy', 'key', props.KeyPolicy]);
  if (body.Type === 'AWS::IAM::Policy' || body.Type === 'AWS::IAM::ManagedPolicy' || body.Type === 'AWS::IAM::RolePolicy') docs.push(['PolicyDocument', 'identity', props.PolicyDocument]);
  if (body.Type === 'AWS::IAM::Role') {
    docs.push(['AssumeRolePolicyDocument', 'trust', props.AssumeRolePolicyDocument]);
    if (Array.isArray(props.Policies)) props.Policies.forEach((x, i) => isObject(x) && docs.push([`Policies.${typeof x.PolicyName === 'string' ? x.PolicyName : i}`, 'identity', x.PolicyDocument]));
  }
  const out: Array<{ place: string; kind: DocumentKind; statement: JsonObject }> = [];
  const visit = (place: string, kind: DocumentKind, s: Json): void => {
    if (isObject(s) && Array.isArray(s['Fn::If'])) s['Fn::If'].slice(1).forEach((b) => visit(place, kind, b));
    else if (isObject(s) && s.Effect !== undefined) out.push({ place, kind, statement: s });
  };
  for (const [place, kind, doc] of docs) {
    if (!isObject(doc)) continue;
    for (const s of Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement ?? null]) visit(place, kind, s);
  }
  return out;
}

/** The statements of `id` in the output that were not in the input (at the same place). */
function addedStatements(input: JsonObject, output: JsonObject, id: string): Array<{ place: string; kind: DocumentKind; statement: JsonObject }> {
  const before = new Set(statementsOf((input.Resources as JsonObject)[id]).map((x) => `${x.place}|${JSON.stringify(x.statement)}`));
  return statementsOf((output.Resources as JsonObject)[id]).filter((x) => !before.has(`${x.place}|${JSON.stringify(x.statement)}`));
}

const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const conditionKeys = (s: JsonObject): string[] => Object.values(isObject(s.Condition) ? s.Condition : {}).flatMap((block) => (isObject(block) ? Object.keys(block).map((k) => k.toLowerCase()) : []));
const servicesOf = (s: JsonObject): string[] => (isObject(s.Principal) ? list(s.Principal.Service).map((x) => JSON.stringify(x)) : []);
const SOURCE_KEYS = ['aws:sourcearn', 'aws:sourceaccount'];

/**
 * Service principals whose added statements carry no source condition, each because its kind
 * documents why: EventBridge's key requests carry no aws:SourceArn / aws:SourceAccount
 * (`events-target-queue.ts`, `service-destinations.ts`: a condition would make every delivery fail).
 */
const NO_SOURCE_CONDITION: Record<DocumentKind, string[]> = { resource: [], key: ['"events.amazonaws.com"'], identity: [], trust: [] };

/**
 * Never wider than the connection: every statement the run added names a principal and a resource
 * no wider than a connection needs, and every Lambda permission it created names its source.
 */
function checkNeverWider(input: JsonObject, output: JsonObject): void {
  const inputIds = new Set(Object.keys(input.Resources as JsonObject));
  for (const id of Object.keys(output.Resources as JsonObject)) {
    const body = (output.Resources as JsonObject)[id] as JsonObject;
    if (body.Type === 'AWS::Lambda::Permission' && !inputIds.has(id)) {
      const props = body.Properties as JsonObject;
      expect({ id, principal: props.Principal }).not.toEqual({ id, principal: '*' });
      expect({ id, scoped: props.SourceArn !== undefined || props.SourceAccount !== undefined }).toEqual({ id, scoped: true });
    }
    for (const { place, kind, statement } of addedStatements(input, output, id)) {
      if (statement.Effect !== 'Allow') continue;
      const where = `${id} ${place} ${JSON.stringify(statement)}`;
      const principal = statement.Principal;
      const everyone = principal === '*' || (isObject(principal) && list(principal.AWS).includes('*'));
      expect({ where, everyone }).toEqual({ where, everyone: false });
      const roots = isObject(principal) ? list(principal.AWS).filter((a) => /:root"|^"\d{12}"$/.test(JSON.stringify(a))) : [];
      // A key that had no KeyPolicy had KMS's default one, whose statement a written policy starts with: not a new grant.
      const keyDefault = kind === 'key' && !isObject(((input.Resources as JsonObject)[id] as JsonObject | undefined)?.Properties) ? false : kind === 'key' && ((input.Resources as JsonObject)[id] as { Properties: JsonObject }).Properties.KeyPolicy === undefined && JSON.stringify(statement) === JSON.stringify(DEFAULT_KEY_POLICY_STATEMENT);
      if (kind === 'key' && !keyDefault) expect({ where, roots }).toEqual({ where, roots: [] });
      if (kind === 'resource') expect({ where, starResource: list(statement.Resource).includes('*') }).toEqual({ where, starResource: false });
      const services = servicesOf(statement).filter((x) => !NO_SOURCE_CONDITION[kind].includes(x));
      if (kind !== 'trust' && services.length) {
        const keys = conditionKeys(statement);
        // A key statement may be scoped by the encryption context instead (the log group, the state
        // machine, the bucket's objects), or, for CloudTrail writing through S3 to a bucket whose
        // name is unknown, by kms:ViaService alone (`cloudtrail-key.ts` documents why).
        const scoped = keys.some((k) => SOURCE_KEYS.includes(k) || (kind === 'key' && (k.startsWith('kms:encryptioncontext:') || k === 'kms:viaservice')));
        expect({ where, scoped }).toEqual({ where, scoped: true });
      }
    }
  }
}

/**
 * A connection whose grant the input already holds: the connections view says `present`, and the
 * documents holding that grant gained no Allow (another rule's Deny, such as TLS-only, may be
 * added); no second Lambda permission for the same function and principal appeared.
 */
function checkCovered(input: JsonObject, result: HardenResult, covered: CoveredConnection[]): void {
  const output = result.template;
  for (const c of covered) {
    const record = (result.report.connections ?? []).find((r) => r.kind === c.kind && r.source === c.source && r.destination === c.destination);
    const label = `${c.kind} ${c.source} → ${c.destination}`;
    expect({ label, status: record?.status, added: record?.added, reason: record?.reason }).toEqual({ label, status: 'present', added: [], reason: record?.reason });
    for (const doc of c.documents) {
      const before = (input.Resources as JsonObject)[doc] as JsonObject;
      if (before.Type === 'AWS::Lambda::Permission') {
        expect((output.Resources as JsonObject)[doc]).toEqual(before);
        continue;
      }
      const allows = addedStatements(input, output, doc).filter((x) => x.statement.Effect === 'Allow');
      expect({ label, doc, allows }).toEqual({ label, doc, allows: [] });
    }
    const permissions = Object.keys(output.Resources as JsonObject).filter((id) => !(id in (input.Resources as JsonObject)) && ((output.Resources as JsonObject)[id] as JsonObject).Type === 'AWS::Lambda::Permission');
    const forDestination = permissions.filter((id) => JSON.stringify(((output.Resources as JsonObject)[id] as JsonObject).Properties).includes(`"${c.destination}`));
    expect({ label, forDestination }).toEqual({ label, forDestination: [] });
  }
}

/** Hardens `generated` in `mode` and checks DESIGN.md's invariants on the result, which it returns. */
function checkInvariants(generated: JsonObject, mode: 'fix' | 'report'): { input: JsonObject; result: HardenResult } {
    // Prepare
    const input = withMode(generated, mode);
    const frozen = JSON.stringify(input);
    // Act
    let result;
    try {
      result = run(input);
    } catch (e) {
      // The generator only makes valid templates: any failure is a bug.
      throw new Error(`engine failed: ${e instanceof HardeningError ? e.message : String(e)}`);
    }
    // Assess: input not mutated; deterministic
    expect(JSON.stringify(input)).toBe(frozen);
    expect(JSON.stringify(run(input).template)).toBe(JSON.stringify(result.template));

    // Nothing lost: every input leaf is in the output, at its path (a single-object
    // Statement that received statements becomes a list whose first item it is).
    const output = result.template;
    const outLeaves = new Map(leaves(output));
    const updated = result.report.records.filter((r) => r.action === 'updated' || r.action === 'removed');
    for (const [path, value] of leaves(input)) {
      if (path.startsWith('Metadata.TapHardening')) continue;
      if (updated.some((r) => path.startsWith(`Resources.${r.resource}.${r.path}`))) continue;
      const wrapped = path.replace(/\.Statement\./, '.Statement[0].');
      // An empty object that a rule filled in (Properties: {}) is kept as a container.
      if (isObject(value) && [...outLeaves.keys()].some((p) => p.startsWith(`${path}.`))) continue;
      expect([outLeaves.get(path), outLeaves.get(wrapped)]).toContainEqual(value);
    }

    // Report mode changes nothing but the report.
    if (mode === 'report') expect(withoutReport(output, input)).toEqual(input);

    // Valid: no cycle, no dangling name.
    const model = new TemplateModel(output);
    expect(findCycle(model, model.ids())).toBeUndefined();
    for (const id of model.ids()) {
      expect(danglingReferences(model, model.resource(id)?.Properties)).toEqual([]);
      for (const d of model.dependsOn(id)) expect(model.isResource(d)).toBe(true);
    }

    // New resources carry their owner's condition; injected Allows never name everyone.
    const inputIds = new Set(Object.keys(input.Resources as JsonObject));
    for (const id of model.ids().filter((x) => !inputIds.has(x))) {
      const body = model.resource(id) as JsonObject;
      const owners = (JSON.stringify(body.Properties).match(/"Ref":"([A-Za-z0-9]+)"/g) ?? []).map((m) => m.slice(7, -1));
      const owner = owners.find((o) => inputIds.has(o));
      if (owner) expect(body.Condition).toBe(model.condition(owner));
    }
    for (const r of mode === 'fix' ? result.report.records.filter((x) => x.action === 'statement' || x.action === 'created') : []) {
      const text = JSON.stringify(model.resource(r.resource));
      expect(text).not.toMatch(/"Effect":"Allow","Principal":"\*"/);
    }

    // Never wider: no statement is added beside one of the input that already allowed it.
    if (mode === 'fix') for (const r of result.report.records.filter((x) => x.action === 'statement')) expect(coveredByInput(input, r.resource, model.get(r.resource, pathOf(r.path)) ?? null)).toBeUndefined();

    // Idempotent: a second run changes nothing and gives the same template (in report
    // mode, where nothing was changed, it reports the same again).
    const again = run(deepClone(output));
    expect(again.report.records.filter(isChange)).toEqual(mode === 'fix' ? [] : result.report.records.filter(isChange));
    expect(withoutReport(again.template, input)).toEqual(withoutReport(output, input));
  return { input, result };
}

describe.each(['fix', 'report'] as const)('in %s mode', (mode) => {
  test('the engine keeps every invariant on generated templates', () => {
    fc.assert(
      fc.property(template(), (generated) => {
        const { input, result } = checkInvariants(generated, mode);
        if (mode === 'fix') checkNeverWider(input, result.template);
      }),
      { numRuns: RUNS },
    );
  }, Math.max(120_000, RUNS * 25));

  test('every connection kind: covered connections stay present, added statements are never wider than the connection', () => {
    fc.assert(
      fc.property(connectionTemplate(), ({ template: generated, covered }) => {
        const { input, result } = checkInvariants(generated, mode);
        checkCovered(input, result, covered);
        if (mode === 'fix') checkNeverWider(input, result.template);
      }),
      { numRuns: CONNECTION_RUNS },
    );
  }, Math.max(120_000, CONNECTION_RUNS * 250));
});
