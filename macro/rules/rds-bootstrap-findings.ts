/**
 * RDS-001: databases are reported when their credentials, network placement or encryption will
 * fail the bootstrap or leave data exposed. Report only: changing `StorageEncrypted`,
 * `DBSubnetGroupName` or `MasterUsername` replaces the database (CloudFormation: "Update
 * requires: Replacement"; the resource specification agrees), so the rule never rewrites them.
 *
 * The seeds' bootstrap failures: "Secrets Manager reference not resolving or wrong key names";
 * keep RDS in private subnets; use dynamic references with `username` and `password` keys.
 *
 * Findings (`AWS::RDS::DBInstance` and `AWS::RDS::DBCluster`):
 * - error: `MasterUserPassword` written in the template (a literal, or a `Fn::Sub`/`Fn::Join`
 *   with literal text): anyone who can read the template reads the password (cfn-lint W2501).
 * - error: `ManageMasterUserPassword: true` together with `MasterUserPassword` (RDS: "Can't manage
 *   the master user password with AWS Secrets Manager if MasterUserPassword is specified").
 * - error: a Secrets Manager dynamic reference to a secret of this template whose generated value
 *   has no such JSON key (CloudFormation cannot resolve it; the create fails).
 * - warning: a Secrets Manager dynamic reference (as written, or inside `Fn::Sub` / `Fn::Join`)
 *   whose JSON key is not `username` for `MasterUsername` / `password` for `MasterUserPassword`,
 *   or that has no JSON key (the whole JSON text would become the password, which RDS rejects:
 *   `"` is not allowed); a plain `ssm` reference for the password (use `ssm-secure`); a password
 *   parameter without `NoEcho` (cfn-lint W2501).
 * - warning: `PubliclyAccessible: true` (in any `Fn::If` branch).
 * - warning: no `DBSubnetGroupName`: RDS uses the default DB subnet group (the default VPC) if the
 *   account has one, and fails to launch the instance if it does not; there, an instance without
 *   `PubliclyAccessible` is public when the default VPC has an internet gateway.
 * - warning: `StorageEncrypted` missing (the default is unencrypted) or false.
 *
 * Expectations
 * - Skips, as the CloudFormation reference says they do not apply: on an instance of a cluster
 *   (`DBClusterIdentifier`, or an `aurora*` engine) the subnet group, the encryption and the
 *   credentials are the cluster's; a read replica or a restore (`SourceDBInstanceIdentifier`,
 *   `SourceDbiResourceId`, `SourceDBInstanceAutomatedBackupsArn`, `DBSnapshotIdentifier`;
 *   `SourceDBClusterIdentifier`, `SnapshotIdentifier`, `GlobalClusterIdentifier` on a cluster)
 *   inherits its credentials and encryption (reported as info for encryption); an Aurora
 *   Serverless v1 cluster (`EngineMode: serverless`) is always encrypted.
 * - Already compliant: `ManageMasterUserPassword: true` without `MasterUserPassword`, or
 *   `{{resolve:secretsmanager:…:SecretString:password}}`; a subnet group; `StorageEncrypted: true`.
 * - With the option `Strict: true` the error findings fail the run instead.
 * - Never changes the template.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import type { Severity } from '../report/records';
import { intrinsicName, references } from '../template/intrinsics';
import { isObject, type Json, type JsonObject } from '../template/json';
import { resolve, type Guard } from '../template/resolve';
import { dynamicReferences, type DynamicReference } from './shared/dynamic-references';

interface Report {
  (path: string, severity: Severity, detail: string, hint?: string): void;
}

const TRUE = new Set<Json>([true, 'true']);
const FALSE = new Set<Json>([false, 'false']);

export const rdsBootstrapFindings: Rule = {
  id: 'RDS-001',
  title: 'Report database credentials, placement and encryption that fail or expose',
  rationale:
    'A literal master password, a Secrets Manager reference with the wrong JSON key, a public endpoint, a database outside a private subnet group, or unencrypted storage either fails the bootstrap or exposes the data. Fixing them would replace the database, so they are reported, never rewritten; Strict: true turns the error findings into a failed deploy.',
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  changes: [],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html (MasterUserPassword, ManageMasterUserPassword, DBSubnetGroupName, PubliclyAccessible, StorageEncrypted: Aurora and inherited cases; Update requires: Replacement)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html',
    'https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (PubliclyAccessible default without a DB subnet group)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html ({{resolve:secretsmanager:secret-id:SecretString:json-key:version-stage:version-id}})',
    'https://docs.aws.amazon.com/secretsmanager/latest/userguide/cfn-example_reference-secret.html (username and password keys of a generated secret)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html (GenerateSecretString: SecretStringTemplate, GenerateStringKey)',
    'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless.html (Aurora Serverless v1 cluster volumes are always encrypted)',
    'aws-cdk-lib/aws-rds/lib/database-secret.ts (username and password keys), cdk-nag src/rules/rds/RDSStorageEncrypted.ts (aurora instances are the cluster\'s)',
    'cfn-lint src/cfnlint/rules/resources/properties/Password.py (W2501: no hard-coded passwords, NoEcho parameters)',
  ],
  // Report only: these detectors' findings are reported with where and how to fix, not resolved.
  satisfies: [
    'cfn-lint W2501 (reported)',
    'AwsSolutions-RDS2 (reported)',
    'NIST.800.53.R5-RDSStorageEncrypted (reported)',
    'NIST.800.53.R5-RDSInstancePublicAccess (reported)',
    'Security Hub RDS.2 (reported)',
    'Security Hub RDS.3 (reported)',
    'Security Hub RDS.27 (reported)',
    'checkov CKV_AWS_16 (reported)',
    'checkov CKV_AWS_17 (reported)',
  ],
  settings: [
    {
      name: 'Strict',
      description: 'true: the error findings of RDS-001 (a literal password, a password that cannot resolve) fail the deploy instead of being reported.',
      parse(value) {
        if (typeof value === 'boolean') return value;
        throw new Error(`must be true or false, not ${JSON.stringify(value)}`);
      },
    },
  ],
  apply(db, ctx) {
    const errors: Array<{ path: string; text: string }> = [];
    const report: Report = (path, severity, detail, hint) => {
      ctx.finding(db.id, path, severity, detail, hint);
      if (severity === 'error') errors.push({ path, text: `${detail}${hint ? `: ${hint}` : ''}` });
    };
    const p = db.properties;
    const isInstance = db.type === 'AWS::RDS::DBInstance';
    const ofCluster = isInstance && (p.DBClusterIdentifier !== undefined || (typeof p.Engine === 'string' && p.Engine.toLowerCase().startsWith('aurora')));
    const inherited = isInstance
      ? ['SourceDBInstanceIdentifier', 'SourceDbiResourceId', 'SourceDBInstanceAutomatedBackupsArn', 'DBSnapshotIdentifier'].find((k) => p[k] !== undefined)
      : ['SourceDBClusterIdentifier', 'SnapshotIdentifier', 'GlobalClusterIdentifier'].find((k) => p[k] !== undefined);

    credentials(db, ctx, report);
    if (!ofCluster) placement(db, ctx, report, isInstance);
    if (!ofCluster) encryption(db, ctx, report, inherited);
    if (errors.length && ctx.setting('Strict') === true) {
      const [first, ...more] = errors;
      ctx.fail(db.id, first.path, `${[first.text, ...more.map((e) => `${e.path}: ${e.text}`)].join('; ')} (the option Strict: true fails the deploy on RDS-001 errors)`);
    }
  },
};

/**
 * False for an `Fn::If` branch that cannot be taken while the resource exists: it needs a
 * condition to be false that the resource's own Condition implies.
 */
function reachable(ctx: RuleContext, db: ResourceView, guards: Guard[]): boolean {
  return !guards.some((g) => !g.holds && db.condition !== undefined && ctx.model.conditionImplies(db.condition, g.condition));
}

function when(guards: Guard[]): string {
  return guards.length ? ` when ${guards.map((g) => `${g.condition} ${g.holds ? 'holds' : 'is false'}`).join(' and ')}` : '';
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

const USE_SECRET = 'use ManageMasterUserPassword: true (RDS keeps the password in Secrets Manager), or {{resolve:secretsmanager:<secret>:SecretString:password}}';

function credentials(db: ResourceView, ctx: RuleContext, report: Report): void {
  const p = db.properties;
  if (p.MasterUserPassword !== undefined && TRUE.has(p.ManageMasterUserPassword ?? null)) {
    report('Properties.ManageMasterUserPassword', 'error', 'ManageMasterUserPassword: true cannot be combined with MasterUserPassword: RDS rejects the request', 'remove MasterUserPassword and let RDS manage the password in Secrets Manager');
  }
  for (const [property, key] of [['MasterUsername', 'username'], ['MasterUserPassword', 'password']] as const) {
    const value = p[property];
    if (value === undefined) continue;
    const path = `Properties.${property}`;
    for (const r of resolve(value, ctx.model)) {
      if (!reachable(ctx, db, r.when)) continue;
      const cond = when(r.when);
      if (r.kind === 'literal' || r.kind === 'composite') {
        const text = r.kind === 'literal' ? String(r.value) : r.text;
        const refs = dynamicReferences(text);
        for (const ref of refs) checkReference(ctx, report, path, property, key, ref, cond);
        if (property !== 'MasterUserPassword' || refs.length) continue;
        const literal = r.kind === 'literal' ? text : text.replace(/\$\{[^}]*\}/g, '');
        if (literal !== '') {
          report(path, 'error', `the master password is written in the template${cond}${r.kind === 'composite' ? ' (built from literal text)' : ''}: anyone who can read the template or the stack can read it`, USE_SECRET);
        } else if (r.kind === 'composite') {
          for (const ref of references({ 'Fn::Sub': text })) noEcho(ctx, report, path, ref.name, cond);
        }
      } else if (r.kind === 'parameter' && property === 'MasterUserPassword') {
        noEcho(ctx, report, path, r.name, cond);
      }
    }
  }
}

function noEcho(ctx: RuleContext, report: Report, path: string, parameter: string, cond: string): void {
  const declaration = ctx.model.doc.Parameters;
  const p = isObject(declaration) ? declaration[parameter] : undefined;
  if (!isObject(p) || TRUE.has(p.NoEcho ?? null)) return;
  report(path, 'warning', `the master password comes from parameter ${parameter}${cond}, which has no NoEcho: its value shows in the console and in DescribeStacks`, `set NoEcho: true on ${parameter}, or ${USE_SECRET}`);
}

function checkReference(ctx: RuleContext, report: Report, path: string, property: string, key: string, ref: DynamicReference, cond: string): void {
  if (ref.service === 'ssm' && property === 'MasterUserPassword') {
    report(path, 'warning', `the master password comes from a plain String Parameter Store parameter (${ref.text})${cond}, which is not encrypted`, 'store it as a SecureString and use {{resolve:ssm-secure:…}}, or use Secrets Manager');
    return;
  }
  if (ref.service !== 'secretsmanager') return;
  if (ref.secretString !== undefined && ref.secretString !== 'SecretString') {
    report(path, 'warning', `${ref.text}${cond} names ${ref.secretString} where CloudFormation accepts only SecretString`, `write ${ref.text.replace(`:${ref.secretString}`, ':SecretString')}`);
  }
  if (ref.versionStage !== undefined && ref.versionId !== undefined) {
    report(path, 'warning', `${ref.text}${cond} gives both a version stage and a version id; CloudFormation takes one or the other`, 'drop the version id (or the stage)');
  }
  const secret = secretOf(ctx, ref.id);
  const keys = secret ? secretKeys(ctx, secret) : undefined;
  const fixed = `${OPEN_SECRET}${ref.id}:SecretString:${key}}}`;
  if (ref.jsonKey === undefined) {
    if (keys?.kind === 'plain') return; // a generated plain string: the whole value is the secret
    report(path, 'warning', `${ref.text}${cond} has no JSON key, so ${property} gets the whole secret text${secret ? ` of ${secret}` : ''}; for a JSON secret (username and password) RDS rejects that (${property === 'MasterUserPassword' ? '" is not allowed in a password' : 'it is not a valid user name'})`, `write ${fixed}`);
    return;
  }
  if (keys?.kind === 'plain') {
    report(path, 'error', `${ref.text}${cond} asks for JSON key ${ref.jsonKey}, but ${secret} holds a plain generated string (GenerateSecretString without SecretStringTemplate and GenerateStringKey), so CloudFormation cannot resolve it`, `drop the JSON key, or generate JSON with SecretStringTemplate {"username": …} and GenerateStringKey: password`);
    return;
  }
  if (keys?.kind === 'json' && keys.complete && !keys.keys.includes(ref.jsonKey)) {
    report(path, 'error', `${ref.text}${cond} asks for JSON key ${ref.jsonKey}, which ${secret} does not hold (its keys: ${keys.keys.join(', ') || 'none'}), so CloudFormation cannot resolve it and the create fails`, keys.keys.includes(key) ? `write ${fixed}` : `add ${key} to ${secret}'s secret, then write ${fixed}`);
    return;
  }
  if (ref.jsonKey !== key) {
    const caseOnly = ref.jsonKey.toLowerCase() === key;
    report(path, 'warning', `${ref.text}${cond} reads JSON key ${ref.jsonKey} for ${property}, not ${key}${caseOnly ? ' (JSON keys are case-sensitive)' : ''}: secrets generated for databases (by RDS, by the CDK, by the Secrets Manager examples) hold username and password`, `write ${fixed}`);
  }
}

const OPEN_SECRET = '{{resolve:secretsmanager:';

/** The AWS::SecretsManager::Secret of this template a secret id names (`${Secret}`, or its literal Name). */
function secretOf(ctx: RuleContext, id: string): string | undefined {
  const model = ctx.model;
  const placeholder = /^\$\{([A-Za-z0-9]+)\}$/.exec(id);
  if (placeholder) return model.type(placeholder[1]) === 'AWS::SecretsManager::Secret' ? placeholder[1] : undefined;
  return model.idsOfType('AWS::SecretsManager::Secret').find((s) => model.get(s, ['Properties', 'Name']) === id);
}

type SecretKeys = { kind: 'plain' } | { kind: 'json'; keys: string[]; complete: boolean };

/**
 * What a template secret holds: a plain generated string, or JSON with these keys (`complete`
 * when nothing else can add keys: no intrinsic, no SecretTargetAttachment adding connection keys).
 */
function secretKeys(ctx: RuleContext, secret: string): SecretKeys | undefined {
  const model = ctx.model;
  const attached = model.idsOfType('AWS::SecretsManager::SecretTargetAttachment').some((a) => references(model.get(a, ['Properties', 'SecretId']) ?? null).some((r) => r.name === secret));
  const literal = model.get(secret, ['Properties', 'SecretString']);
  if (typeof literal === 'string') {
    const parsed = jsonObject(literal);
    return parsed ? { kind: 'json', keys: Object.keys(parsed), complete: !attached } : { kind: 'plain' };
  }
  const generate = model.get(secret, ['Properties', 'GenerateSecretString']);
  if (!isObject(generate) || intrinsicName(generate) !== undefined) return undefined;
  const template = generate.SecretStringTemplate;
  const key = generate.GenerateStringKey;
  if (template === undefined && key === undefined) return { kind: 'plain' };
  if ((template !== undefined && typeof template !== 'string') || (key !== undefined && typeof key !== 'string')) return undefined;
  const parsed = template === undefined ? {} : jsonObject(template);
  if (!parsed) return undefined;
  const keys = Object.keys(parsed);
  if (typeof key === 'string' && !keys.includes(key)) keys.push(key);
  return { kind: 'json', keys, complete: !attached };
}

function jsonObject(text: string): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v as Json) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Placement and encryption
// ---------------------------------------------------------------------------------------------

function placement(db: ResourceView, ctx: RuleContext, report: Report, isInstance: boolean): void {
  const p = db.properties;
  if (p.PubliclyAccessible !== undefined) {
    for (const r of resolve(p.PubliclyAccessible, ctx.model)) {
      if (r.kind === 'literal' && TRUE.has(r.value) && reachable(ctx, db, r.when)) {
        report('Properties.PubliclyAccessible', 'warning', `the ${isInstance ? 'instance' : 'cluster'} is publicly accessible${when(r.when)}: its endpoint resolves to a public address from outside the VPC`, 'set PubliclyAccessible: false and reach the database from inside the VPC (an in-place change)');
      }
    }
  }
  if (p.DBSubnetGroupName === undefined) {
    report(
      'Properties.DBSubnetGroupName',
      'warning',
      isInstance
        ? 'no DB subnet group: RDS places the instance in the default DB subnet group (the default VPC) if the account has one, and fails to launch it if not; there it is public when PubliclyAccessible is not set and the default VPC has an internet gateway'
        : 'no DB subnet group: RDS places the cluster in the default DB subnet group (the default VPC), if the account has one, instead of private subnets of your VPC',
      'create an AWS::RDS::DBSubnetGroup over private subnets and set DBSubnetGroupName (on an existing database this replaces it)',
    );
  }
}

function encryption(db: ResourceView, ctx: RuleContext, report: Report, inherited: string | undefined): void {
  const p = db.properties;
  const path = 'Properties.StorageEncrypted';
  if (p.EngineMode === 'serverless') return; // Aurora Serverless v1: always encrypted
  if (p.StorageEncrypted === undefined) {
    if (inherited !== undefined) {
      ctx.finding(db.id, path, 'info', `encryption is inherited through ${inherited}: the new database is encrypted only if its source is`);
      return;
    }
    report(path, 'warning', `storage is not encrypted (StorageEncrypted is not set, and the default is false)${p.KmsKeyId !== undefined ? '; KmsKeyId is set, which requires StorageEncrypted: true' : ''}`, 'set StorageEncrypted: true (and KmsKeyId for a customer managed key); on an existing database this replaces it: restore an encrypted copy of a snapshot instead');
    return;
  }
  for (const r of resolve(p.StorageEncrypted, ctx.model)) {
    if (r.kind === 'literal' && FALSE.has(r.value) && reachable(ctx, db, r.when)) {
      report(path, 'warning', `storage is not encrypted (StorageEncrypted is false${when(r.when)})`, 'set StorageEncrypted: true (on an existing database this replaces it: restore an encrypted copy of a snapshot instead)');
    }
  }
}
