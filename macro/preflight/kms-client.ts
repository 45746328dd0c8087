/**
 * The live half of the KMS preflight: reads a key's metadata and key policy with
 * `@aws-sdk/client-kms`. Built as its own bundle (dist/preflight/kms-client.js) and loaded only
 * when a template points at a key outside itself, so the handler starts without the SDK.
 *
 * Reads never hang a deploy: short connection and request timeouts, bounded retries of
 * throttling and transient errors with jittered backoff (our own loop, so the count is ours and
 * visible in tests), and an overall deadline per key.
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

function clientFor(region: string): KMSClient {
  let client = clients.get(region);
  if (!client) {
    // maxAttempts 1: retries happen in `withRetries`, so they are bounded once, not twice.
    client = new KMSClient({ region, maxAttempts: 1, requestHandler: { connectionTimeout: 1000, requestTimeout: 2500 } });
    clients.set(region, client);
  }
  return client;
}

const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException', 'KMSInternalException', 'DependencyTimeoutException', 'TimeoutError', 'RequestTimeout', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

async function withRetries<T>(call: () => Promise<T>, attempts: number, signal: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (attempt >= attempts || signal.aborted || !RETRYABLE.has(name)) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)));
    }
  }
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
  const client = clientFor(options.region);
  const attempts = options.maxAttempts ?? 3;
  const abortSignal = AbortSignal.timeout(options.deadlineMs ?? 8000);
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await withRetries(() => client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }), attempts, abortSignal)).KeyMetadata;
  } catch (e) {
    return classify(e);
  }
  if (!metadata) return { status: 'unavailable', message: 'DescribeKey returned no KeyMetadata' };
  try {
    const out = await withRetries(() => client.send(new GetKeyPolicyCommand({ KeyId: metadata.KeyId ?? keyId, PolicyName: 'default' }), { abortSignal }), attempts, abortSignal);
    return { status: 'ok', metadata, policy: out.Policy ? JSON.parse(out.Policy) : undefined };
  } catch (e) {
    return { status: 'ok', metadata, policyError: classify(e).message };
  }
}
