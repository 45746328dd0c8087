/**
 * The resource specification as a dependency: the generated table is current (against the
 * installed @aws-cdk/aws-service-spec and the registered rules), its accessors read it right, and
 * every property a rule declares or actually writes exists on its type in the full spec, which
 * the tests (never the Lambda) load.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';
import { RULES } from '../../macro/rules';
import { isChange, type ReportRecord } from '../../macro/report/records';
import { causesReplacement, isKnownType, isStateful, namesText, physicalNameProperty, SPEC_VERSION, statefulTypes, tagPropertyNames, tagShape, typesText } from '../../macro/spec';
import { REPLACEMENT } from '../../macro/spec/resources.generated';
import { isObject, type JsonObject } from '../../macro/template/json';
import { parseTemplate } from '../../macro/template/yaml';
import { renderSpecTable, specTableData } from '../../scripts/spec-table';
import { casesIn } from '../support/fixtures';

const db: SpecDatabase = loadAwsServiceSpecSync();
const installed = (JSON.parse(readFileSync(require.resolve('@aws-cdk/aws-service-spec/package.json'), 'utf8')) as { version: string }).version;
const byType = new Map<string, Resource>(db.all('resource').map((r) => [r.cloudFormationType, r]));

/** Resource attributes: what a `Type Path` declaration may name outside Properties. */
const ATTRIBUTES = new Set(['DependsOn', 'DeletionPolicy', 'UpdateReplacePolicy', 'Condition', 'Metadata', 'CreationPolicy', 'UpdatePolicy']);

/** `Properties.A[2].B` → ['A', 2, 'B']. */
function segments(propertyPath: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of propertyPath.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${propertyPath}`);
    if (m[1] !== '') out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

/** Whether a path of property names (and list indexes) exists under a type's properties in the spec. */
function existsIn(properties: ResourceProperties, path: ReadonlyArray<string | number>): boolean {
  if (path.length === 0) return true;
  const [head, ...rest] = path;
  if (typeof head !== 'string') return false;
  const prop = properties[head];
  return prop !== undefined && typeAllows(prop.type, rest);
}

function typeAllows(type: PropertyType, path: ReadonlyArray<string | number>): boolean {
  if (path.length === 0) return true;
  switch (type.type) {
    case 'json':
      return true; // a policy document or other free-form JSON: any path
    case 'array':
      return typeof path[0] === 'number' && typeAllows(type.element, path.slice(1));
    case 'map':
      return typeAllows(type.element, path.slice(1));
    case 'union':
      return type.types.some((t) => typeAllows(t, path));
    case 'tag':
      return path.length === 1 && (path[0] === 'Key' || path[0] === 'Value');
    case 'ref':
      return existsIn((db.get('typeDefinition', type.reference.$ref) as TypeDefinition).properties, path);
    default:
      return false;
  }
}

/** Why `Type Path` names nothing the spec knows, or undefined when it is fine. */
function problemWith(type: string, pathText: string): string | undefined {
  if (type.startsWith('Custom::')) return undefined;
  if (type === '*') {
    const [first, name, ...rest] = pathText.split('.');
    if (ATTRIBUTES.has(first) && name === undefined) return undefined;
    if (first === 'Properties' && rest.length === 0 && tagPropertyNames().includes(name)) return undefined;
    return `* ${pathText}: a declaration for every type may name only a resource attribute or a tag property`;
  }
  const resource = byType.get(type);
  if (!resource) return `${type} is not a resource type in @aws-cdk/aws-service-spec ${installed}`;
  if (pathText === '') return undefined;
  const [first, ...rest] = pathText.split('.');
  if (ATTRIBUTES.has(first.replace(/\[\d+\]$/, ''))) return undefined;
  if (first !== 'Properties') return `${type} ${pathText}: not a property or resource attribute`;
  const names = segments(rest.join('.'));
  return existsIn(resource.properties, names) ? undefined : `${type} ${pathText}: no such property in @aws-cdk/aws-service-spec ${installed}`;
}

describe('the generated spec table', () => {
  test('is current: regenerating it from the installed spec and the registered rules changes nothing (else run `npm run gen:spec`)', () => {
    // Prepare: the packed table is compared decoded, so a different brotli build cannot fail the test.
    const committed = readFileSync(path.join(__dirname, '../../macro/spec/resources.generated.ts'), 'utf8');
    const unpacked = (text: string) => text.replace(/export const (TYPES|NAMES)_PACKED =\n(?: {2}'[^']*'(?: \+|;)\n)+/g, '');
    // Act
    const fresh = specTableData(db, RULES, installed);
    // Assess
    expect(SPEC_VERSION).toBe(installed);
    expect(typesText()).toBe(fresh.types);
    expect(REPLACEMENT).toEqual(fresh.replacement);
    expect(namesText()).toBe(fresh.names);
    expect(unpacked(committed)).toBe(unpacked(renderSpecTable(fresh)));
    expect(unpacked(committed)).not.toContain('TYPES_PACKED');
  });

  test('knows every type of the spec and nothing else', () => {
    expect(isKnownType('AWS::S3::Bucket')).toBe(true);
    expect(isKnownType('Custom::Thing')).toBe(false);
    for (const type of byType.keys()) expect(isKnownType(type)).toBe(true);
  });

  test('gives each type the tag shape the spec gives it', () => {
    expect(tagShape('AWS::S3::Bucket')).toEqual({ kind: 'list', property: 'Tags', keyField: 'Key', valueField: 'Value', replaces: false });
    expect(tagShape('AWS::SSM::Parameter')).toEqual({ kind: 'map', property: 'Tags', replaces: false });
    expect(tagShape('AWS::AutoScaling::AutoScalingGroup')).toMatchObject({ kind: 'asg', property: 'Tags' });
    expect(tagShape('AWS::Cognito::UserPool')).toMatchObject({ kind: 'map', property: 'UserPoolTags' });
    expect(tagShape('AWS::EC2::KeyPair')).toMatchObject({ kind: 'list', replaces: true });
    expect(tagShape('AWS::ApiGateway::Account')).toEqual({ kind: 'none' });
    expect(tagShape('Custom::Thing')).toBeUndefined();
    for (const r of byType.values()) {
      const shape = tagShape(r.cloudFormationType);
      if (r.tagInformation) expect(shape).toMatchObject({ property: r.tagInformation.tagPropertyName });
      if (r.tagInformation?.variant === 'map') expect(shape?.kind === 'map' || shape?.kind === 'other').toBe(true);
    }
  });

  test('marks exactly the spec\'s stateful types stateful', () => {
    const expected = [...byType.values()].filter((r) => r.isStateful).map((r) => r.cloudFormationType).sort();
    expect(statefulTypes()).toEqual(expected);
    expect(isStateful('AWS::DynamoDB::Table')).toBe(true);
    expect(isStateful('AWS::SNS::Topic')).toBe(false);
  });

  test('gives the physical-name property of a type: <Type>Name, Name or <Type>Identifier, replacing and a string', () => {
    expect(physicalNameProperty('AWS::S3::Bucket')).toBe('BucketName');
    expect(physicalNameProperty('AWS::SQS::Queue')).toBe('QueueName');
    expect(physicalNameProperty('AWS::SecretsManager::Secret')).toBe('Name');
    expect(physicalNameProperty('AWS::RDS::DBInstance')).toBe('DBInstanceIdentifier');
    expect(physicalNameProperty('AWS::KMS::Key')).toBeUndefined();
    expect(physicalNameProperty('Custom::Thing')).toBeUndefined();
    for (const [type, r] of byType) {
      const name = physicalNameProperty(type);
      if (name === undefined) continue;
      expect(r.properties[name]?.causesReplacement).toBe('yes');
      expect(r.properties[name]?.type.type).toBe('string');
    }
  });

  test('tells which properties replace a resource, for the types rules change and the stateful types', () => {
    expect(causesReplacement('AWS::Lambda::Permission', 'SourceArn')).toBe('yes');
    expect(causesReplacement('AWS::S3::Bucket', 'BucketName')).toBe('yes');
    expect(causesReplacement('AWS::S3::Bucket', 'BucketEncryption')).toBe('no');
    expect(causesReplacement('AWS::RDS::DBInstance', 'MultiAZ')).toBe('maybe');
    expect(causesReplacement('AWS::EC2::KeyPair', 'Tags')).toBe('yes');
    expect(causesReplacement('AWS::Glue::Job', 'Command')).toBeUndefined();
    for (const rule of RULES) {
      for (const c of rule.changes) {
        const type = c.split(' ')[0];
        if (byType.has(type)) expect([rule.id, causesReplacement(type, '__none__')]).toEqual([rule.id, 'no']);
      }
    }
  });
});

describe('what rules write exists in the full spec', () => {
  test('the check walks nested properties and finds names the spec does not have', () => {
    expect(problemWith('AWS::S3::Bucket', 'Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm')).toBeUndefined();
    expect(problemWith('AWS::IAM::Role', 'Properties.Policies[1].PolicyDocument.Statement[0].Action')).toBeUndefined();
    expect(problemWith('AWS::S3::Bucket', 'DeletionPolicy')).toBeUndefined();
    expect(problemWith('AWS::S3::Bucket', 'Properties.Encryption')).toMatch(/no such property/);
    expect(problemWith('AWS::S3::Bucket', 'Properties.PublicAccessBlockConfiguration.BlockAll')).toMatch(/no such property/);
    expect(problemWith('AWS::S3::Buckets', '')).toMatch(/not a resource type/);
    expect(problemWith('*', 'Properties.BucketName')).toMatch(/only a resource attribute or a tag property/);
  });

  test.each(RULES.map((r) => r.id))('%s declares only properties and attributes its types have', (id) => {
    const rule = RULES.find((r) => r.id === id) as (typeof RULES)[number];
    const problems: string[] = [];
    for (const c of [...rule.changes, ...(rule.replaces ?? [])]) {
      const space = c.indexOf(' ');
      if (space < 0 && !c.includes('::')) continue; // a path outside Resources (Parameters.…)
      const problem = space < 0 ? problemWith(c, '') : problemWith(c.slice(0, space), c.slice(space + 1));
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  });

  const ROOT = path.join(__dirname, '../rules');
  const folders = readdirSync(ROOT).filter((f) => statSync(path.join(ROOT, f)).isDirectory()).sort();
  test.each(folders)('every property the %s fixtures write exists on its type', (folder) => {
    const problems: string[] = [];
    for (const c of casesIn(path.join(ROOT, folder))) {
      if (c.name.startsWith('error-')) continue;
      const expected = readYamlResources(c.expectedPath);
      const records = JSON.parse(readFileSync(c.reportPath, 'utf8')) as ReportRecord[];
      for (const r of records.filter(isChange)) {
        const body = expected[r.resource];
        if (!isObject(body) || typeof body.Type !== 'string') continue; // template-level writes (Parameters)
        if (r.action === 'created') {
          const props = isObject(body.Properties) ? Object.keys(body.Properties) : [];
          for (const p of props) {
            const problem = problemWith(body.Type, `Properties.${p}`);
            if (problem) problems.push(`${c.name}: ${r.resource} ${problem}`);
          }
        } else if (r.path !== '') {
          const problem = problemWith(body.Type, r.path);
          if (problem) problems.push(`${c.name}: ${r.resource} ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

function readYamlResources(file: string): JsonObject {
  const doc = parseTemplate(readFileSync(file, 'utf8'), { file }).value;
  return isObject(doc) && isObject(doc.Resources) ? doc.Resources : {};
}
