/**
 * DDB-001: a DynamoDB scalable target names its table (or index) the way Application Auto
 * Scaling expects, and is registered after the table exists.
 *
 * `ResourceId` is `table/<name>` for the table dimensions (`dynamodb:table:ReadCapacityUnits`,
 * `dynamodb:table:WriteCapacityUnits`) and `table/<name>/index/<index>` for a global secondary
 * index (`dynamodb:index:…`). `!Ref Table` gives the bare name and `!GetAtt Table.Arn` the ARN,
 * neither of which RegisterScalableTarget accepts ("Unsupported service namespace, resource type
 * or scalable dimension"); registering before the table exists fails with "DynamoDB table does not
 * exist". The CloudFormation page says to add a DependsOn when the resource is not yet created.
 *
 * Expectations
 * - Skips: targets whose `ServiceNamespace` is not `dynamodb`; a `ResourceId` from a parameter
 *   or an `Fn::If` (reported); a target on an `AWS::DynamoDB::GlobalTable` (reported: the
 *   GlobalTable page says to configure its auto scaling on the GlobalTable itself).
 * - Already compliant: `ResourceId` in the form its `ScalableDimension` needs, and the target
 *   depends on the table, directly or through the reference in `ResourceId`.
 * - Fixes: `!Ref Table` / `!GetAtt Table.Arn` becomes `!Sub table/${Table}`, or
 *   `!Sub table/${Table}/index/<name>` for an index dimension when the table has exactly one
 *   global secondary index (reported as such). `ResourceId` updates require replacement, but a
 *   target with the wrong form was never registered, so there is nothing to replace. A literal
 *   `table/<name>` that is a table's `TableName` in this template gets a `DependsOn` on it.
 * - Fails: a `ScalableDimension` that does not match the form of `ResourceId` (table vs index),
 *   an index dimension on a table whose index cannot be told, and a `ResourceId` in no known form;
 *   the message names both values and how to write them.
 */
import type { ResourceView, Rule, RuleContext } from './types';
import { canonicalString, references } from '../template/intrinsics';
import { canonical, isObject, type Json } from '../template/json';
import { resolve } from '../template/resolve';

const TABLE_DIMENSIONS = ['dynamodb:table:ReadCapacityUnits', 'dynamodb:table:WriteCapacityUnits'];
const INDEX_DIMENSIONS = ['dynamodb:index:ReadCapacityUnits', 'dynamodb:index:WriteCapacityUnits'];
const RESOURCE_ID = 'Properties.ResourceId';
const WHY_ORDER = 'Application Auto Scaling can register the table only once it exists';

export const dynamoDbScalableTargets: Rule = {
  id: 'DDB-001',
  title: 'Give DynamoDB scalable targets a table/ resource id and register them after the table',
  rationale:
    'Application Auto Scaling identifies a DynamoDB table as table/<name> (an index as table/<name>/index/<index>); !Ref Table or !GetAtt Table.Arn fails with "Unsupported service namespace, resource type or scalable dimension", and registering before the table exists fails with "DynamoDB table does not exist".',
  resourceTypes: ['AWS::ApplicationAutoScaling::ScalableTarget'],
  changes: ['AWS::ApplicationAutoScaling::ScalableTarget Properties.ResourceId', 'AWS::ApplicationAutoScaling::ScalableTarget DependsOn'],
  // A target with the wrong ResourceId form was never registered: there is nothing to replace.
  replaces: ['AWS::ApplicationAutoScaling::ScalableTarget Properties.ResourceId'],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-applicationautoscaling-scalabletarget.html (ResourceId, ScalableDimension: Update requires Replacement; DependsOn note; DynamoDB example)',
    'https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html (ResourceId: table/my-table, table/my-table/index/my-table-index; ScalableDimension values)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-globaltable.html (do not add ScalableTargets to a global table)',
    'aws-cdk-lib/aws-dynamodb/lib/table.ts (autoScaleReadCapacity: resourceId table/${tableName}, index form for GSIs)',
    'Errors without it: pulumi/pulumi-policy-aws#11 ("Unsupported service namespace, resource type or scalable dimension"), terraform-aws-modules/terraform-aws-dynamodb-table#15 ("DynamoDB table does not exist")',
  ],
  apply(target, ctx) {
    if (target.properties.ServiceNamespace !== 'dynamodb') return;
    const dimension = target.properties.ScalableDimension;
    if (typeof dimension !== 'string') {
      ctx.finding(target.id, 'Properties.ScalableDimension', 'info', 'left as written: it is computed at deploy time, so the form of ResourceId cannot be checked here');
      return;
    }
    if (!TABLE_DIMENSIONS.includes(dimension) && !INDEX_DIMENSIONS.includes(dimension)) {
      ctx.fail(target.id, 'Properties.ScalableDimension', `${dimension} is not a DynamoDB scalable dimension: use one of ${[...TABLE_DIMENSIONS, ...INDEX_DIMENSIONS].join(', ')}`);
    }
    const wantsIndex = INDEX_DIMENSIONS.includes(dimension);
    const value = target.properties.ResourceId;
    const resolutions = resolve(value, ctx.model);
    if (resolutions.length !== 1) {
      ctx.finding(target.id, RESOURCE_ID, 'info', 'left as written: it is chosen by Fn::If, so its form cannot be checked here');
      return;
    }
    const r = resolutions[0];
    switch (r.kind) {
      case 'resource':
        return fromTableReference(target, dimension, wantsIndex, r.id, r.attribute, ctx);
      case 'literal':
      case 'composite':
        return fromText(target, dimension, wantsIndex, value as Json, r.kind === 'literal' ? String(r.value) : r.text, ctx);
      case 'parameter':
      case 'pseudo':
        ctx.finding(target.id, RESOURCE_ID, 'info', `comes from ${r.name}: it must be table/<name>${wantsIndex ? '/index/<index>' : ''} for ${dimension}`);
        return;
      default:
        ctx.finding(target.id, RESOURCE_ID, 'info', 'left as written: it is computed at deploy time, so its form cannot be checked here');
    }
  },
};

/** `!Ref Table` / `!GetAtt Table.Arn`: rewritten to the table/<name> form. */
function fromTableReference(target: ResourceView, dimension: string, wantsIndex: boolean, table: string, attribute: string | undefined, ctx: RuleContext): void {
  const model = ctx.model;
  const type = model.type(table);
  if (type === 'AWS::DynamoDB::GlobalTable') {
    ctx.finding(target.id, RESOURCE_ID, 'warning', `${table} is an AWS::DynamoDB::GlobalTable, whose auto scaling is configured on the GlobalTable itself (WriteProvisionedThroughputSettings, ReadProvisionedThroughputSettings): a ScalableTarget on it is unsupported`);
    return;
  }
  if (type !== 'AWS::DynamoDB::Table') {
    ctx.finding(target.id, RESOURCE_ID, 'info', `refers to ${table}, a ${type}, not a DynamoDB table: left as written`);
    return;
  }
  if (attribute !== undefined && attribute !== 'Arn') {
    ctx.fail(target.id, RESOURCE_ID, `is ${table}.${attribute}, which is not a table name: write !Sub table/\${${table}}${wantsIndex ? '/index/<IndexName>' : ''}`);
  }
  const was = attribute === undefined ? `!Ref ${table} (the bare table name)` : `!GetAtt ${table}.Arn (the table's ARN)`;
  const note = 'ResourceId changes replace the target, but in this form it was never registered';
  if (!wantsIndex) {
    ctx.set(target.id, ['Properties', 'ResourceId'], { 'Fn::Sub': `table/\${${table}}` }, `was ${was}; Application Auto Scaling names a table table/<name> (${note})`);
  } else {
    const indexes = indexNames(ctx, table);
    if (indexes.length !== 1 || indexes[0] === undefined) {
      ctx.fail(
        target.id,
        RESOURCE_ID,
        `ScalableDimension ${dimension} scales a global secondary index, but ResourceId ${was} names the table ${table}, ${indexes.length === 0 ? 'which has no global secondary index' : indexes.length === 1 ? 'whose index name is computed' : `which has ${indexes.length} global secondary indexes (${indexes.map((i) => i ?? '?').join(', ')})`}: write ResourceId !Sub table/\${${table}}/index/<IndexName>, or use ${dimension.replace(':index:', ':table:')} to scale the table`,
      );
    }
    const index = indexes[0] as string;
    ctx.set(
      target.id,
      ['Properties', 'ResourceId'],
      { 'Fn::Sub': `table/\${${table}}/index/${index.replace(/\$\{/g, '${!')}` },
      `was ${was}; ${dimension} scales an index, named table/<name>/index/<index>, and ${index} is ${table}'s only global secondary index (${note})`,
    );
  }
  dependOn(target, table, ctx);
}

/** A literal or Sub/Join ResourceId: its form must fit the dimension; tables it names are waited for. */
function fromText(target: ResourceView, dimension: string, wantsIndex: boolean, value: Json, text: string, ctx: RuleContext): void {
  const model = ctx.model;
  const m = /^table\/([^/]+)(\/index\/([^/]+))?$/.exec(text);
  if (!m) {
    ctx.fail(target.id, RESOURCE_ID, `${JSON.stringify(text)} is not a DynamoDB resource id: write table/<TableName>${wantsIndex ? '/index/<IndexName>' : ''} for ${dimension}, e.g. !Sub table/\${MyTable}${wantsIndex ? '/index/MyIndex' : ''}`);
  }
  const hasIndex = m[2] !== undefined;
  if (hasIndex !== wantsIndex) {
    ctx.fail(
      target.id,
      'Properties.ScalableDimension',
      `${dimension} scales ${wantsIndex ? 'a global secondary index' : 'a table'}, but ResourceId ${JSON.stringify(text)} names ${hasIndex ? 'an index' : 'a table'}: use ${hasIndex ? dimension.replace(':table:', ':index:') : dimension.replace(':index:', ':table:')}, or write ResourceId as table/<TableName>${wantsIndex ? '/index/<IndexName>' : ''}`,
    );
  }
  const tables = new Set<string>();
  for (const ref of references(value)) {
    if (model.type(ref.name) !== 'AWS::DynamoDB::Table') continue;
    if (ref.attribute !== undefined) ctx.fail(target.id, RESOURCE_ID, `uses ${ref.name}.${ref.attribute} where the table name belongs: write !Sub table/\${${ref.name}}${hasIndex ? `/index/${m[3]}` : ''}`);
    tables.add(ref.name);
  }
  if (!tables.size) {
    // A literal name: wait for the table of that TableName, when it is in this template.
    for (const id of model.idsOfType('AWS::DynamoDB::Table')) {
      const name = model.get(id, ['Properties', 'TableName']);
      if (name !== undefined && canonical(canonicalString(name)) === canonical(canonicalString({ 'Fn::Sub': m[1] }))) tables.add(id);
    }
  }
  for (const table of tables) dependOn(target, table, ctx);
}

/** The `IndexName` of each global secondary index of the table (undefined where it is computed). */
function indexNames(ctx: RuleContext, table: string): Array<string | undefined> {
  const gsis = ctx.model.get(table, ['Properties', 'GlobalSecondaryIndexes']);
  if (!Array.isArray(gsis)) return [];
  return gsis.map((g) => (isObject(g) && typeof g.IndexName === 'string' ? g.IndexName : undefined));
}

function dependOn(target: ResourceView, table: string, ctx: RuleContext): void {
  if (ctx.model.reaches(target.id, table)) return;
  ctx.dependsOn(target.id, table, WHY_ORDER);
}
