/**
 * The live half of the KMS preflight: reads a key's metadata and key policy with
 * `@aws-sdk/client-kms`. Built as its own bundle (dist/preflight/kms-client.js) and loaded only
 * when a template points at a key outside itself, so the handler starts without the SDK.
 *
 * Reads never hang a deploy or exhaust the function's memory:
 * - time: a 1 s connection timeout, a 2.5 s budget per attempt (our own abort signal: the HTTP
 *   handler's requestTimeout only logs a warning unless told to throw), 3 attempts of
 *   throttling, transient errors and timeouts with jittered backoff (our own loop, so the count
 *   is ours and visible in tests), and an 8 s deadline per key over both calls;
 * - size: at most 64 KiB of response body is read (a key policy is at most 32 KB, "Key policies
 *   in AWS KMS", AWS KMS Developer Guide; DescribeKey's answer is far smaller): a larger
 *   Content-Length is refused before reading, and a body that streams past the bound is cut off;
 * - clients: one per Region (and endpoint), at most 4 kept, least recently used first out, so a
 *   template naming keys in many Regions cannot grow the cache without bound.
 */
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, type KeyMetadata } from '@aws-sdk/client-kms';
import { Transform, type Readable } from 'node:stream';

export interface ReadKeyOptions {
  /** The region to ask: the key ARN's region, or the stack's. */
  region: string;
  /** Overall deadline for both calls, in milliseconds (default 8000). */
  deadlineMs?: number;
  /** Attempts per call, first one included (default 3). */
  maxAttempts?: number;
  /** Budget of one attempt, in milliseconds (default 2500). */
  attemptTimeoutMs?: number;
  /** Another endpoint than the Region's (a VPC endpoint; a local server in tests). */
  endpoint?: string;
}

export type KeyRead =
  | { status: 'ok'; metadata: KeyMetadata; policy?: unknown; policyError?: string }
  | { status: 'not-found' | 'access-denied' | 'unavailable'; message: string };

/** The most response body read per call. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Clients kept (one per Region and endpoint). */
export const MAX_CLIENTS = 4;
const DEFAULTS = { deadlineMs: 8000, maxAttempts: 3, attemptTimeoutMs: 2500, connectionTimeoutMs: 1000 };

/** A response body over MAX_RESPONSE_BYTES: not read further, and not retried. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(size?: number) {
    super(`the response body is ${size !== undefined ? `${size} bytes` : `larger than ${MAX_RESPONSE_BYTES} bytes`}; at most ${MAX_RESPONSE_BYTES} are read`);
  }
}

/** Insertion order is recency order: a hit moves to the end, the first entry is evicted. */
const clients = new Map<string, KMSClient>();

function clientFor(region: string, endpoint?: string): KMSClient {
  const key = `${region}\u0000${endpoint ?? ''}`;
  let client = clients.get(key);
  if (client) {
    clients.delete(key);
    clients.set(key, client);
    return client;
  }
  // maxAttempts 1: retries happen in `withRetries`, so they are bounded once, not twice.
  client = new KMSClient({
    region,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
    requestHandler: { connectionTimeout: DEFAULTS.connectionTimeoutMs, requestTimeout: DEFAULTS.attemptTimeoutMs, throwOnRequestTimeout: true },
  });
  client.middlewareStack.add((next) => async (args) => {
    const out = await next(args);
    const response = out.response as { headers?: Record<string, string>; body?: unknown };
    if (response && isNodeStream(response.body)) response.body = bounded(response.body, response.headers ?? {});
    return out;
  }, { step: 'deserialize', priority: 'low', name: 'tapHardeningBoundedBody' });
  clients.set(key, client);
  while (clients.size > MAX_CLIENTS) {
    const [oldest, evicted] = clients.entries().next().value as [string, KMSClient];
    clients.delete(oldest);
    evicted.destroy();
  }
  return client;
}

/** The Regions (and endpoints) with a cached client, least recently used first. */
export function cachedClients(): string[] {
  return [...clients.keys()].map((k) => k.replace('\u0000', ' ').trim());
}

function isNodeStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function' && typeof (body as Readable).on === 'function';
}

/** The body, cut off with ResponseTooLargeError past MAX_RESPONSE_BYTES. */
function bounded(body: Readable, headers: Record<string, string>): Readable {
  const declared = Number(headers['content-length'] ?? headers['Content-Length']);
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > MAX_RESPONSE_BYTES) {
        body.destroy();
        done(new ResponseTooLargeError());
        return;
      }
      done(null, chunk);
    },
  });
  body.on('error', (e) => limiter.destroy(e));
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    body.destroy();
    process.nextTick(() => limiter.destroy(new ResponseTooLargeError(declared)));
    return limiter;
  }
  return body.pipe(limiter);
}

const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException', 'KMSInternalException', 'DependencyTimeoutException', 'TimeoutError', 'RequestTimeout', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'AttemptTimeoutError']);

/** One attempt ran out of its budget (the deadline had not passed): retried. */
class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
}

/** The deadline passed: not retried. */
class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

async function withRetries<T>(call: (signal: AbortSignal) => Promise<T>, attempts: number, attemptMs: number, deadline: AbortSignal, deadlineMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const attemptSignal = AbortSignal.timeout(attemptMs);
    let error: unknown;
    try {
      return await call(eitherSignal(deadline, attemptSignal));
    } catch (e) {
      error = e;
    }
    if (deadline.aborted) throw new DeadlineError(`no answer within the ${deadlineMs} ms deadline (${attempt} attempt${attempt === 1 ? '' : 's'})`);
    if (attemptSignal.aborted) error = new AttemptTimeoutError(`no answer within ${attemptMs} ms (attempt ${attempt} of ${attempts})`);
    const name = error instanceof Error ? error.name : '';
    if (attempt >= attempts || !RETRYABLE.has(name)) throw error;
    await sleep(Math.min(1000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2), deadline);
  }
}

/** Aborts when either does (AbortSignal.any, which Node has from 20.3 on). */
function eitherSignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const both = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) both.abort(s.reason);
    else s.addEventListener('abort', () => both.abort(s.reason), { once: true });
  }
  return both.signal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function classify(e: unknown): { status: 'not-found' | 'access-denied' | 'unavailable'; message: string } {
  const name = e instanceof Error ? e.name : 'Error';
  // The SDK appends a hint about its hidden raw-response field on a new line: not for a report.
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] as string;
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
  const client = clientFor(options.region, options.endpoint);
  const attempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const attemptMs = options.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs;
  const deadlineMs = options.deadlineMs ?? DEFAULTS.deadlineMs;
  const deadline = AbortSignal.timeout(deadlineMs);
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await withRetries((abortSignal) => client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }), attempts, attemptMs, deadline, deadlineMs)).KeyMetadata;
  } catch (e) {
    return classify(e);
  }
  if (!metadata) return { status: 'unavailable', message: 'DescribeKey returned no KeyMetadata' };
  try {
    const out = await withRetries((abortSignal) => client.send(new GetKeyPolicyCommand({ KeyId: metadata.KeyId ?? keyId, PolicyName: 'default' }), { abortSignal }), attempts, attemptMs, deadline, deadlineMs);
    return { status: 'ok', metadata, policy: out.Policy ? JSON.parse(out.Policy) : undefined };
  } catch (e) {
    return { status: 'ok', metadata, policyError: classify(e).message };
  }
}
