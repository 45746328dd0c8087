/**
 * Whether a file that failed to parse could be a CloudFormation template at all. Hooks and
 * directory runs meet YAML that is not CloudFormation (CI configs with tags of their own, such as
 * GitLab's `!reference`; Helm charts with `{{ }}`): those are skipped with a clear line, while a
 * template (a top-level `Resources` key, in YAML or JSON) that fails to parse stays an error.
 */

/**
 * @example
 * mayBeTemplate('include:\n  - !reference [.base, script]\n'); // false
 * mayBeTemplate('Resources:\n  Data: [\n'); // true
 */
export function mayBeTemplate(text: string): boolean {
  // YAML: `Resources:` at the start of a line, unindented (optionally quoted); JSON: a "Resources" key anywhere.
  return /^(?:Resources|"Resources"|'Resources')[ \t]*:/m.test(text) || /"Resources"\s*:/.test(text);
}

/** The note for a skipped file. */
export const NOT_A_TEMPLATE = 'not a CloudFormation template: it does not parse and has no top-level Resources key';
