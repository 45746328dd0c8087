/**
 * Every rule's golden fixtures, found by scanning tests/rules/<RULE-ID>/. Each case runs the one
 * rule on its input and compares the output template and the report; every case is also run a
 * second time on its own output, which must change nothing (idempotence), and twice on the same
 * input, which must give byte-identical output (determinism).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { harden } from '../../macro/engine/harden';
import { HardeningError } from '../../macro/engine/errors';
import { RULES } from '../../macro/rules';
import { isChange } from '../../macro/report/records';
import { deepEqual } from '../../macro/template/json';
import { casesIn, cycleIn, expectOrUpdateJson, expectOrUpdateText, expectOrUpdateYaml, withoutReport } from '../support/fixtures';

const ROOT = __dirname;
const REQUIRED_CASES = ['fix', 'compliant', 'intrinsic', 'suppressed', 'conditional'];
const folders = readdirSync(ROOT).filter((f) => statSync(path.join(ROOT, f)).isDirectory()).sort();

const run = (ruleId: string, template: Parameters<typeof harden>[0]['template']) =>
  harden({ template, rules: RULES.filter((r) => r.id === ruleId), region: 'us-east-1', accountId: '123456789012' });

describe('rule fixtures', () => {
  test.each(RULES.map((r) => r.id))('%s has a fixture folder with the required cases', (id) => {
    const dir = path.join(ROOT, id);
    expect(existsSync(dir)).toBe(true);
    const names = casesIn(dir).map((c) => c.name);
    for (const required of REQUIRED_CASES) expect(names.some((n) => n === required || n.startsWith(`${required}-`))).toBe(true);
  });

  for (const folder of folders) {
    describe(folder, () => {
      for (const c of casesIn(path.join(ROOT, folder))) {
        test(`${c.name}`, () => {
          // Prepare
          const input = JSON.parse(JSON.stringify(c.input));
          if (c.name.startsWith('error-')) {
            // Act
            let error: unknown;
            try {
              run(folder, c.input);
            } catch (e) {
              error = e;
            }
            // Assess
            expect(error).toBeInstanceOf(HardeningError);
            expect((error as HardeningError).message).toBe(expectOrUpdateText(c.errorPath, (error as HardeningError).message));
            return;
          }
          // Act
          const result = run(folder, c.input);
          const output = withoutReport(result.template, c.input);
          // Assess
          expect(c.input).toEqual(input); // the input is never mutated
          expect(output).toEqual(expectOrUpdateYaml(c.expectedPath, output));
          expect(result.report.records).toEqual(expectOrUpdateJson(c.reportPath, result.report.records));
          if (c.name.startsWith('compliant')) expect(deepEqual(output, c.input)).toBe(true);
          const again = run(folder, result.template);
          expect(again.report.records.filter(isChange)).toEqual([]);
          expect(withoutReport(again.template, c.input)).toEqual(output);
          expect(JSON.stringify(run(folder, c.input).template)).toBe(JSON.stringify(result.template));
          // Through the whole registry too: every rule's fixture hardens without failure or cycle.
          expect(cycleIn(harden({ template: c.input, region: 'us-east-1', accountId: '123456789012' }).template)).toBeUndefined();
        });
      }
    });
  }
});

test('the rule ids are pinned: adding or removing a rule shows here', () => {
  expect(RULES.map((r) => r.id)).toEqual(['REGION-001', 'PARAM-001', 'LAMBDA-001', 'DEP-001', 'TAG-001', 'TAG-002', 'S3-001', 'S3-003', 'S3-002', 'CT-001', 'CT-002', 'CT-003', 'CT-004', 'CT-005', 'KMS-001', 'LOGS-001', 'S3N-001', 'S3N-002', 'SNS-001', 'EVT-001', 'CF-001', 'LOGD-001', 'ESM-001', 'APIGW-001', 'APIGW-002', 'APIGW-003', 'APIGW-004', 'CW-001', 'SFN-001', 'SFN-002', 'DDB-001', 'DATA-001', 'DATA-002', 'RDS-001']);
});
