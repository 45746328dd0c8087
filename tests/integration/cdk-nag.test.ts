/**
 * A third-party checker on our output: cdk-nag's AwsSolutions and NIST 800-53 R5 packs, run on
 * every example and a set of rule fixtures, before and after hardening. The findings our rules
 * target must be gone, and hardening must not add a finding, except the ones asserted (and
 * explained) below.
 *
 * How: one CDK App per template, with two stacks (`Input` and `Hardened`) that each load the plain
 * template with `cloudformation-include`'s CfnInclude; cdk-nag 3 registers its packs as validation
 * plugins (`Validations.of(app).addPlugins(...)`), and synth writes their structured report to
 * `validation-report.json` in the cloud assembly, which is read back here.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { harden } from '../../macro/engine/harden';
import type { JsonObject } from '../../macro/template/json';
import { readTemplate } from '../support/fixtures';

const ROOT = path.join(__dirname, '../..');
const PACKS = ['AwsSolutions', 'NIST.800.53.R5'];

/** Findings our rules resolve: after hardening none of them may remain. */
const TARGETED = [
  'AwsSolutions-S10', // S3-002
  'NIST.800.53.R5-S3BucketSSLRequestsOnly', // S3-002
  'AwsSolutions-S2', // S3-001 (fires only on a partial block, not a missing one)
  'NIST.800.53.R5-S3BucketPublicReadProhibited', // S3-001
  'NIST.800.53.R5-S3BucketPublicWriteProhibited', // S3-001
  'NIST.800.53.R5-S3BucketLevelPublicAccessProhibited', // S3-001
  'AwsSolutions-KMS5', // KMS-001
  'NIST.800.53.R5-KMSBackingKeyRotationEnabled', // KMS-001
];

/**
 * cdk-nag's API Gateway and Step Functions rules check what is configured (access logs, execution
 * logging, X-Ray, log level ALL); our APIGW and SFN rules make configured logging deployable (the
 * account's CloudWatch role, DependsOn edges, log-delivery permissions) and configure nothing. So
 * none of these findings is fixed by hardening, and none may appear or disappear: asserted below.
 */
const UNTOUCHED = /^(AwsSolutions-APIG|AwsSolutions-SF|NIST\.800\.53\.R5-(APIGW|StepFunction))/;

/**
 * Findings hardening adds, each on something a rule adds on purpose. Not suppressed: asserted
 * here exactly, so any other new finding fails the test.
 * - IAM4: APIGW-001 creates the account's API Gateway CloudWatch role with the AWS managed policy
 *   AmazonAPIGatewayPushToCloudWatchLogs, as the AWS::ApiGateway::Account docs and aws-cdk-lib's
 *   RestApi (cloudWatchRole) do.
 * - IAM5[Resource::*]: SFN-001 grants the CloudWatch Logs delivery actions on "*": they take no
 *   resource ARN (Step Functions developer guide, "IAM policies for logging to CloudWatch Logs";
 *   aws-cdk-lib state-machine.ts grants the same on "*").
 * - NIST IAMNoInlinePolicy: SFN-001 writes that grant into the role's inline Policies. A role that
 *   had inline policies already had this finding; one that had none gets it. (A customer-managed
 *   AWS::IAM::ManagedPolicy would not trip it; CDK's own grant, an AWS::IAM::Policy, would.)
 */
const IAM4_APIGW = (role: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs] ${role}`;
const IAM5_SFN = (role: string) => `AwsSolutions-IAM5[Resource::*] ${role}`;
const INLINE_SFN = (role: string) => `NIST.800.53.R5-IAMNoInlinePolicy ${role}`;
const EXPECTED_NEW: Record<string, string[]> = {
  'examples/rest-api.yaml': [IAM4_APIGW('ApiGatewayCloudWatchRole')],
  'examples/step-functions.yaml': [IAM5_SFN('WorkflowRole')],
  'tests/rules/APIGW-001/fix.input.yaml': [IAM4_APIGW('ApiGatewayCloudWatchRole')],
  'tests/rules/APIGW-001/intrinsic.input.yaml': [IAM4_APIGW('ApiGatewayCloudWatchRole')],
  'tests/rules/APIGW-001/conditional.input.yaml': [IAM4_APIGW('ApiGatewayCloudWatchRole')],
  'tests/rules/SFN-001/fix.input.yaml': [IAM5_SFN('Role')],
  'tests/rules/SFN-001/intrinsic.input.yaml': [IAM5_SFN('BlueRole'), IAM5_SFN('GreenRole'), INLINE_SFN('BlueRole'), INLINE_SFN('GreenRole')],
  'tests/rules/SFN-001/conditional.input.yaml': [IAM5_SFN('Role'), INLINE_SFN('Role')],
};

/**
 * Targeted findings that stay, each on a value our rule leaves as written on purpose (never
 * overriding what the template computes or states), asserted exactly.
 */
const EXPECTED_REMAINING: Record<string, string[]> = {
  // BlockPublicPolicy: !Ref BlockPolicies (S3-001 fills in the two missing flags, keeps the
  // parameter; cdk-nag cannot resolve it), and a whole block under Fn::If (reported "left as written").
  'tests/rules/S3-001/intrinsic.input.yaml': [
    'AwsSolutions-S2 FlagFromParameter',
    'AwsSolutions-S2 WholeBlockComputed',
    'NIST.800.53.R5-S3BucketLevelPublicAccessProhibited FlagFromParameter',
    'NIST.800.53.R5-S3BucketLevelPublicAccessProhibited WholeBlockComputed',
    'NIST.800.53.R5-S3BucketPublicReadProhibited FlagFromParameter',
    'NIST.800.53.R5-S3BucketPublicReadProhibited WholeBlockComputed',
    'NIST.800.53.R5-S3BucketPublicWriteProhibited FlagFromParameter',
    'NIST.800.53.R5-S3BucketPublicWriteProhibited WholeBlockComputed',
  ],
  // The bucket policies' PolicyDocument / Statement are Fn::If: S3-002 cannot add to them and
  // reports it (a second policy for the same bucket would replace the first).
  'tests/rules/S3-002/intrinsic.input.yaml': [
    'AwsSolutions-S10 Data',
    'AwsSolutions-S10 DataPolicy',
    'AwsSolutions-S10 Logs',
    'AwsSolutions-S10 LogsPolicy',
    'NIST.800.53.R5-S3BucketSSLRequestsOnly Data',
    'NIST.800.53.R5-S3BucketSSLRequestsOnly DataPolicy',
    'NIST.800.53.R5-S3BucketSSLRequestsOnly Logs',
    'NIST.800.53.R5-S3BucketSSLRequestsOnly LogsPolicy',
  ],
  // EnableKeyRotation computed from a parameter: left as written.
  'tests/rules/KMS-001/intrinsic.input.yaml': ['AwsSolutions-KMS5 RotationFromParameter', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled RotationFromParameter'],
  // EnableKeyRotation: false written by the user: kept, and reported as a warning.
  'tests/rules/KMS-001/conditional.input.yaml': ['AwsSolutions-KMS5 ExplicitlyOff', 'NIST.800.53.R5-KMSBackingKeyRotationEnabled ExplicitlyOff'],
};

/**
 * Inputs CDK refuses to load, and why: the hardened output is checked alone. Tags in the wrong
 * shape for their type are what TAG-001 fixes (CloudFormation rejects them at deploy, too).
 */
const INPUT_REJECTED: Record<string, RegExp> = {
  'examples/tagged-data-stack.yaml': /Invalid tag input expected array of \{key, value\}/,
};

const TEMPLATES: Array<[string, string]> = [
  ...readdirSync(path.join(ROOT, 'examples'))
    .filter((f) => /\.ya?ml$|\.json$/.test(f))
    .sort()
    .map((f): [string, string] => [`examples/${f}`, path.join(ROOT, 'examples', f)]),
  ...['S3-001', 'S3-002', 'S3-003', 'KMS-001', 'CT-001', 'CT-002', 'CT-003', 'LOGS-001', 'APIGW-001', 'APIGW-002', 'APIGW-003', 'SFN-001', 'S3N-001', 'S3N-002', 'DDB-001'].flatMap((id) =>
    ['fix.input.yaml', 'intrinsic.input.yaml', 'conditional.input.yaml'].map((f): [string, string] => [`tests/rules/${id}/${f}`, path.join(ROOT, 'tests/rules', id, f)]),
  ),
];

type Finding = string; // `<rule id> <logical id>`

interface Checked {
  /** Undefined when CDK could not load the input. */
  input?: Finding[];
  inputError?: string;
  output: Finding[];
}

type Report = { pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }> };

/** Loads the templates into one App (one stack each), runs both packs, synthesizes and reads the report. */
function nag(dir: string, stacks: Array<[string, JsonObject]>): Map<string, Finding[]> {
  const app = new App({ outdir: path.join(dir, 'cdk.out'), context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  for (const [stackId, body] of stacks) {
    const templateFile = path.join(dir, `${stackId}.json`);
    writeFileSync(templateFile, JSON.stringify(body));
    new CfnInclude(new Stack(app, stackId), 'Template', { templateFile });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as Report;
  const out = new Map<string, Finding[]>(stacks.map(([id]) => [id, []]));
  for (const plugin of report.pluginReports.filter((p) => PACKS.includes(p.pluginName))) {
    for (const v of plugin.violations) {
      for (const c of v.violatingConstructs) {
        const [stackId, , logicalId] = c.constructPath.split('/');
        out.get(stackId)?.push(`${v.ruleName} ${logicalId}`);
      }
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Runs both packs on the template before and after hardening: one App, one synth. */
function check(file: string, dir: string): Checked {
  const template = readTemplate(file);
  delete template.Transform; // CloudFormation hands the macro the template without it
  const hardened = harden({ template, region: 'us-east-1', accountId: '123456789012' }).template;
  try {
    const found = nag(dir, [['Input', template], ['Hardened', hardened]]);
    return { input: found.get('Input'), output: found.get('Hardened') ?? [] };
  } catch (e) {
    const inputError = e instanceof Error ? e.message : String(e);
    return { inputError, output: nag(path.join(dir, 'alone'), [['Hardened', hardened]]).get('Hardened') ?? [] };
  }
}

const results = new Map<string, Checked>();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cdk-nag-'));
  process.env.CDK_VALIDATION = 'false'; // only the two packs, not CDK's own template checks
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.CDK_VALIDATION;
});

const ruleOf = (f: Finding) => f.split(' ')[0].replace(/\[.*$/, '');

describe.each(TEMPLATES)('%s', (name, file) => {
  test('after hardening, cdk-nag finds none of the findings our rules target, and nothing new', () => {
    // Prepare, Act
    const r = check(file, path.join(dir, name.replace(/[^A-Za-z0-9]+/g, '-')));
    results.set(name, r);
    // Assess
    expect(r.output.filter((f) => TARGETED.includes(ruleOf(f)))).toEqual(EXPECTED_REMAINING[name] ?? []);
    if (r.input === undefined) {
      expect(r.inputError).toMatch(INPUT_REJECTED[name] ?? /^$/);
      return;
    }
    expect(INPUT_REJECTED[name]).toBeUndefined();
    expect(r.output.filter((f) => !r.input?.includes(f))).toEqual(EXPECTED_NEW[name] ?? []);
    expect(r.output.filter((f) => UNTOUCHED.test(f))).toEqual(r.input.filter((f) => UNTOUCHED.test(f)));
  });
});

test('the packs did find what our rules fix, so the checks above are not vacuous; the counts', () => {
  const loaded = [...results.values()].filter((r) => r.input !== undefined);
  const before = loaded.flatMap((r) => r.input ?? []);
  const after = loaded.flatMap((r) => r.output);
  for (const id of TARGETED) expect(before.filter((f) => ruleOf(f) === id).length).toBeGreaterThan(0);
  // The summary CI prints: per template, and per rule id that changed.
  const count = (list: Finding[], id: string) => list.filter((f) => ruleOf(f) === id).length;
  const ids = [...new Set([...before, ...after].map(ruleOf))].sort().filter((id) => count(before, id) !== count(after, id));
  const lines = [
    'cdk-nag 3 (AwsSolutions + NIST 800-53 R5) findings before → after hardening',
    ...[...results].map(([name, r]) => `  ${name.padEnd(46)} ${(r.input === undefined ? 'n/a' : String(r.input.length)).padStart(4)} → ${String(r.output.length).padStart(3)}${r.input === undefined ? '  (input rejected by CfnInclude)' : ''}`),
    `  ${'total (inputs CDK could load)'.padEnd(46)} ${String(before.length).padStart(4)} → ${String(after.length).padStart(3)}`,
    'by rule id, over the inputs CDK could load (only ids whose count changed):',
    ...ids.map((id) => `  ${id.padEnd(54)} ${String(count(before, id)).padStart(4)} → ${String(count(after, id)).padStart(3)}`),
  ];
  // eslint-disable-next-line no-console
  console.log(lines.join('\n'));
});
