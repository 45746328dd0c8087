/**
 * The live half of the KMS preflight: reads a key's metadata and key policy with
 * `@aws-sdk/client-kms`. Built as its own bundle (dist/preflight/kms-client.js) and loaded only
 * when a template points at a key outside itself, so the handler starts without the SDK.
 *
 * Reads never hang a deploy: short connection and request timeouts, bounded retries with the
 * SDK's standard backoff (throttling included), and an overall deadline per key.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';

export interface ReadKeyOptions {
  /** The region to ask: the key ARN's region, or the stack's. */
  region: string;
  /** Overall deadline for both calls, in milliseconds. */
  deadlineMs?: number;
  /** Attempts per call, first one included. */
  maxAttempts?: number;
}

export type KeyRead =
  | { status: 'ok'; metadata: KeyMetadata; policy?: unknown; policyError?: string }
  | { status: 'not-found' | 'access-denied' | 'unavailable'; message: string };

const clients = new Map<string, KMSClient>();

/** Exposed for tests, which replace the client with aws-sdk-client-mock. */
export function clientFor(region: string, maxAttempts: number): KMSClient {
  const key = `${region}/${maxAttempts}`;
  let client = clients.get(key);
  if (!client) {
    client = new KMSClient({ region, maxAttempts, requestHandler: { connectionTimeout: 1000, requestTimeout: 2500 } });
    clients.set(key, client);
  }
  return client;
}

function classify(e: unknown): { status: 'not-found' | 'access-denied' | 'unavailable'; message: string } {
  const name = e instanceof Error ? e.name : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'NotFoundException') return { status: 'not-found', message };
  if (name === 'AccessDeniedException' || name === 'UnauthorizedOperation') return { status: 'access-denied', message };
  return { status: 'unavailable', message: `${name}: ${message}` };
}

/**
 * Reads a key (id, ARN or alias) and its default key policy.
 *
 * @example
 * const read = await readKey('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-…', { region: 'eu-west-1' });
 * if (read.status === 'ok') console.log(read.metadata.KeySpec, read.policy);
 */
export async function readKey(keyId: string, options: ReadKeyOptions): Promise<KeyRead> {
  const client = clientFor(options.region, options.maxAttempts ?? 3);
  const abortSignal = AbortSignal.timeout(options.deadlineMs ?? 8000);
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal })).KeyMetadata;
  } catch (e) {
    return classify(e);
  }
  if (!metadata) return { status: 'unavailable', message: 'DescribeKey returned no KeyMetadata' };
  try {
    const out = await client.send(new GetKeyPolicyCommand({ KeyId: metadata.KeyId ?? keyId, PolicyName: 'default' }), { abortSignal });
    return { status: 'ok', metadata, policy: out.Policy ? JSON.parse(out.Policy) : undefined };
  } catch (e) {
    return { status: 'ok', metadata, policyError: classify(e).message };
  }
}
