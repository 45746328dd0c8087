/**
 * A local stand-in for the KMS API (JSON protocol over HTTP on 127.0.0.1), so the built bundles —
 * which carry their own copy of the AWS SDK, out of reach of aws-sdk-client-mock — can run a real
 * preflight in tests. Point the SDK at it with AWS_ENDPOINT_URL_KMS.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeKey {
  metadata: Record<string, unknown>;
  policy?: unknown;
}

export interface FakeKms {
  url: string;
  calls: string[];
  close(): Promise<void>;
}

export async function startFakeKms(keys: Record<string, FakeKey>): Promise<FakeKms> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { KeyId?: string };
      calls.push(`${target.split('.').pop()} ${input.KeyId}`);
      const key = Object.entries(keys).find(([id, k]) => id === input.KeyId || k.metadata.KeyId === input.KeyId)?.[1];
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (!key) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'NotFoundException', message: `Key '${input.KeyId}' does not exist` }));
      } else if (target.endsWith('DescribeKey')) {
        res.end(JSON.stringify({ KeyMetadata: key.metadata }));
      } else if (target.endsWith('GetKeyPolicy')) {
        res.end(JSON.stringify({ Policy: JSON.stringify(key.policy ?? {}), PolicyName: 'default' }));
      } else {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'UnsupportedOperationException', message: target }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Environment that makes the SDK use the fake endpoint with dummy credentials and no IMDS. */
export function fakeKmsEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_KMS: url,
    AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
