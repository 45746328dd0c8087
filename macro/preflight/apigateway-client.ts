/**
 * The live half of the API Gateway account preflight: `GetAccount` (`GET /account`, IAM action
 * `apigateway:GET` on `arn:<partition>:apigateway:<region>::/account`) with
 * `@aws-sdk/client-api-gateway`. Built as its own bundle (dist/preflight/apigateway-client.js)
 * and loaded only when a template has a stage that logs, so the handler starts without the SDK.
 *
 * The SDK client is required by name, not imported: the module is written against the few
 * members it uses (`ApiGatewaySdk`), so the sources type-check and the tests run whether or not
 * the package is installed; scripts/build.mjs builds this bundle only when it is, and the loader
 * (preflight/apigateway.ts) reports "could not check" when the bundle or the package is missing.
 *
 * One read never holds a deploy up: 1 s connection and 2 s request timeouts, at most 2 attempts
 * (a retry only for throttling and transient errors), 4 s overall.
 */

/** What the preflight needs from `@aws-sdk/client-api-gateway` (GetAccountCommand's output: `cloudwatchRoleArn`). */
export interface ApiGatewaySdk {
  APIGatewayClient: new (config: { region: string; maxAttempts: number; requestHandler: { connectionTimeout: number; requestTimeout: number } }) => {
    send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<{ cloudwatchRoleArn?: string }>;
  };
  GetAccountCommand: new (input: Record<string, never>) => unknown;
}

export type AccountRead =
  /** The account's API Gateway settings in the region; `cloudwatchRoleArn` absent when none is set. */
  | { status: 'ok'; cloudwatchRoleArn?: string }
  | { status: 'access-denied' | 'unavailable'; message: string };

export interface ReadAccountOptions {
  region: string;
  /** Overall deadline, in milliseconds. */
  deadlineMs?: number;
  /** Attempts, first one included. */
  maxAttempts?: number;
  /** Replaces `require('@aws-sdk/client-api-gateway')` (tests). */
  sdk?: ApiGatewaySdk;
}

const RETRYABLE = new Set(['TooManyRequestsException', 'ThrottlingException', 'ServiceUnavailableException', 'InternalFailure', 'TimeoutError', 'RequestTimeout', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const DENIED = new Set(['AccessDeniedException', 'UnauthorizedException', 'UnrecognizedClientException', 'ExpiredTokenException', 'CredentialsProviderError']);

function loadSdk(): ApiGatewaySdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-api-gateway') as ApiGatewaySdk;
}

const clients = new Map<string, InstanceType<ApiGatewaySdk['APIGatewayClient']>>();

/**
 * Reads the account's API Gateway CloudWatch role in a region.
 *
 * @example
 * const read = await readAccount({ region: 'eu-west-1' });
 * if (read.status === 'ok' && read.cloudwatchRoleArn === undefined) console.log('no CloudWatch role set');
 */
export async function readAccount(options: ReadAccountOptions): Promise<AccountRead> {
  let sdk: ApiGatewaySdk;
  try {
    sdk = options.sdk ?? loadSdk();
  } catch (e) {
    return { status: 'unavailable', message: `the API Gateway client is not available (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  const key = options.sdk ? '' : options.region;
  let client = options.sdk ? undefined : clients.get(key);
  if (!client) {
    // maxAttempts 1: the retries below are the only ones, so the bound is ours.
    client = new sdk.APIGatewayClient({ region: options.region, maxAttempts: 1, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } });
    if (!options.sdk) clients.set(key, client);
  }
  const attempts = options.maxAttempts ?? 2;
  const signal = AbortSignal.timeout(options.deadlineMs ?? 4000);
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await client.send(new sdk.GetAccountCommand({}), { abortSignal: signal });
      return typeof out.cloudwatchRoleArn === 'string' && out.cloudwatchRoleArn !== '' ? { status: 'ok', cloudwatchRoleArn: out.cloudwatchRoleArn } : { status: 'ok' };
    } catch (e) {
      const name = e instanceof Error ? e.name : 'Error';
      const message = e instanceof Error ? e.message : String(e);
      if (DENIED.has(name)) return { status: 'access-denied', message: `${name}: ${message}` };
      if (attempt >= attempts || signal.aborted || !RETRYABLE.has(name)) return { status: 'unavailable', message: `${name}: ${message}` };
      await new Promise((resolve) => setTimeout(resolve, 150 * attempt * (0.5 + Math.random() / 2)));
    }
  }
}
