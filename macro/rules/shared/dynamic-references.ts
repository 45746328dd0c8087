/**
 * CloudFormation dynamic references: `{{resolve:ssm:name}}`, `{{resolve:ssm-secure:name}}` and
 * `{{resolve:secretsmanager:secret-id:secret-string:json-key:version-stage:version-id}}`, found
 * in a string as written or in the text of a `Fn::Sub` (where `${Secret}` may stand for a
 * secret's ARN, so a colon inside `${…}` never splits a segment).
 *
 * Reference: "Get values stored in other services using dynamic references" and "Get a secret or
 * secret value from Secrets Manager", AWS CloudFormation User Guide
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html):
 * the secret-id is a name or a full ARN (`arn:partition:secretsmanager:region:account:secret:name`,
 * seven colon-separated parts); secret-string is `SecretString`, the only supported value and
 * the default; json-key, version-stage and version-id are optional and hold no colon; version-stage
 * and version-id are not given together.
 */

export interface DynamicReference {
  /** The whole reference as written, `{{resolve:…}}`. */
  text: string;
  /** `ssm`, `ssm-secure`, `secretsmanager`, or whatever else was written. */
  service: string;
  /** The parameter name (ssm) or the secret id (secretsmanager), as written. */
  id: string;
  /** Secrets Manager only: the segments after the secret id, `undefined` when absent or empty. */
  secretString?: string;
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

const OPEN = '{{resolve:';

/**
 * Every dynamic reference in a string (a literal, or a Sub template whose `${…}` placeholders are
 * kept as written).
 *
 * @example
 * dynamicReferences('{{resolve:secretsmanager:${DbSecret}:SecretString:password}}');
 * // → [{ text: '{{resolve:…}}', service: 'secretsmanager', id: '${DbSecret}', secretString: 'SecretString', jsonKey: 'password' }]
 */
export function dynamicReferences(text: string): DynamicReference[] {
  const out: DynamicReference[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start < 0) return out;
    const end = closing(text, start + OPEN.length);
    if (end < 0) return out;
    const body = text.slice(start + OPEN.length, end);
    out.push(parse(text.slice(start, end + 2), body));
    from = end + 2;
  }
}

/** The index of the `}}` that closes a reference, skipping `${…}` placeholders; -1 if none. */
function closing(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}' && depth > 0) {
      depth--;
    } else if (text.startsWith('}}', i) && depth === 0) {
      return i;
    }
  }
  return -1;
}

/** Splits on colons outside `${…}`. */
function segments(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (body.startsWith('${', i)) depth++;
    else if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

function parse(text: string, body: string): DynamicReference {
  const [service, ...rest] = segments(body);
  if (service !== 'secretsmanager') return { text, service, id: rest.join(':') };
  const idParts = rest[0] === 'arn' ? 7 : 1;
  const id = rest.slice(0, idParts).join(':');
  const [secretString, jsonKey, versionStage, versionId] = rest.slice(idParts).map((s) => (s === '' ? undefined : s));
  const ref: DynamicReference = { text, service, id };
  if (secretString !== undefined) ref.secretString = secretString;
  if (jsonKey !== undefined) ref.jsonKey = jsonKey;
  if (versionStage !== undefined) ref.versionStage = versionStage;
  if (versionId !== undefined) ref.versionId = versionId;
  return ref;
}
