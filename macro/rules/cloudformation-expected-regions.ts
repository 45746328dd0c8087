/**
 * REGION-001: a stack deploys only to the regions its template expects.
 *
 * Templates written for one region (the seeds pin `us-east-1`: global services, an ACM
 * certificate for CloudFront, region-specific AMIs or endpoints) fail in another region late and
 * half-created, or worse, succeed with the wrong wiring. An "informational" condition such as
 * `IsUsEast1: !Equals [!Ref AWS::Region, us-east-1]` (the seeds' remedy) documents the intent
 * but stops nothing. The option `ExpectedRegions` makes the macro refuse the deploy at transform
 * time, before any resource is touched, with a message that names the region and the option.
 *
 * The region is the macro event's `region`: "The Region in which the macro resides". A macro can
 * only be used by stacks in its own account and region, so that is the stack's region (CLI:
 * `--region`).
 *
 * Expectations
 * - Skips: templates without the option (nothing is checked, nothing reported). A resource's
 *   `Skip` does not apply to this template-level rule: turn it off with
 *   `Metadata.TapHardening.Rules: {REGION-001: false}`.
 * - Already compliant: the region is one of `ExpectedRegions`.
 * - Reports: with no region known (the CLI without `--region`), an info finding that the region
 *   could not be checked.
 * - Fails: the region is not one of `ExpectedRegions`.
 * - Never changes the template.
 */
import type { Rule } from './types';

/** Region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const OPTION_PATH = 'Metadata.TapHardening.ExpectedRegions';

export const cloudFormationExpectedRegions: Rule = {
  id: 'REGION-001',
  title: 'Deploy only to the regions the template expects',
  rationale:
    'A template written for one region (one that names us-east-1 in its ARNs or resource names, say) fails late and half-created, or deploys with the wrong wiring, in another. With the option ExpectedRegions the macro refuses a deploy to any other region at transform time, before any resource is created, naming the region and the option.',
  resourceTypes: [],
  changes: [],
  references: [
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros-author.html (event mapping: region is the Region in which the macro resides)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-macros.html (macros are regional: a stack uses a macro of its own account and region)',
    'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html (AWS::Region)',
  ],
  settings: [
    {
      name: 'ExpectedRegions',
      description: 'The regions the template may be deployed to, e.g. ["us-east-1"]; a deploy to any other region fails at transform time.',
      parse(value) {
        if (!Array.isArray(value) || value.length === 0) throw new Error('must be a non-empty list of region names, e.g. ["us-east-1"]');
        const seen = new Set<string>();
        for (const v of value) {
          if (typeof v !== 'string' || !REGION.test(v)) throw new Error(`${JSON.stringify(v)} is not a region name (e.g. "us-east-1")`);
          if (seen.has(v)) throw new Error(`lists ${v} twice`);
          seen.add(v);
        }
        return value;
      },
    },
  ],
  applyTemplate(_template, ctx) {
    const expected = ctx.setting('ExpectedRegions');
    if (!Array.isArray(expected)) return;
    const list = expected.join(', ');
    if (ctx.region === undefined) {
      ctx.finding('-', OPTION_PATH, 'info', `the region the stack deploys to is not known here, so it was not checked against ExpectedRegions (${list})`, 'pass --region to tap-harden');
      return;
    }
    if (!expected.includes(ctx.region)) {
      ctx.fail(
        '-',
        OPTION_PATH,
        `the stack is being deployed to ${ctx.region}, but the option ExpectedRegions allows only ${list}: deploy it to ${expected.length === 1 ? list : `one of ${list}`}, or add ${ctx.region} to ExpectedRegions once the template has been made to work there`,
      );
    }
  },
};
