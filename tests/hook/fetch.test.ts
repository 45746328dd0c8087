/**
 * The payload fetch against a local https server: what it reads, and every bound it keeps (https
 * only, size, time, redirects), each ending in a PayloadFetchError that names no signature.
 */
import { Agent } from 'node:https';
import { DEFAULT_FETCH, fetchPayload, PayloadFetchError, redactUrl, type FetchOptions } from '../../macro/hook/fetch';
import { startHttpsServer, type TestHttpsServer } from '../support/https-server';

let server: TestHttpsServer;
const BODY = JSON.stringify({ template: 'Resources: {}', previousTemplate: '' });

beforeAll(async () => {
  server = await startHttpsServer({
    '/payload': (_req, res) => res.end(BODY),
    '/redirect/1': (_req, res) => res.writeHead(302, { location: '/payload' }).end(),
    '/redirect/2': (_req, res) => res.writeHead(307, { location: '/redirect/1' }).end(),
    '/redirect/3': (_req, res) => res.writeHead(301, { location: '/redirect/2' }).end(),
    '/redirect/4': (_req, res) => res.writeHead(308, { location: '/redirect/3' }).end(),
    '/to-http': (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/payload' }).end(),
    '/missing-location': (_req, res) => res.writeHead(302).end(),
    '/forbidden': (_req, res) => res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'),
    '/huge-declared': (_req, res) => {
      res.writeHead(200, { 'content-length': String(6 * 1024 * 1024) });
      res.write('{"template": "');
      // The client stops on the header; the rest is never sent.
    },
    '/huge-streamed': (_req, res) => {
      // No Content-Length: the client must count what it reads.
      res.writeHead(200);
      const chunk = 'x'.repeat(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) {
          /* fill the socket */
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    },
    '/slow': (_req, res) => {
      // A byte every 200 ms: each read is quick, the whole never ends.
      res.writeHead(200);
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    },
  });
});
afterAll(() => server.close());

const options = (more: Partial<FetchOptions> = {}): FetchOptions => ({ ...DEFAULT_FETCH, agent: server.agent, ...more });

async function failure(url: string, opts: FetchOptions): Promise<PayloadFetchError> {
  try {
    await fetchPayload(url, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(PayloadFetchError);
    return e as PayloadFetchError;
  }
  throw new Error('expected the fetch to fail');
}

test('reads the payload from a server whose certificate the agent trusts', async () => {
  expect(await fetchPayload(`${server.url}/payload`, options())).toBe(BODY);
});

test('refuses a server whose certificate is not trusted: verification is never off', async () => {
  const error = await failure(`${server.url}/payload`, options({ agent: new Agent({ keepAlive: false }) }));
  expect(error.message).toMatch(/could not fetch https:\/\/127\.0\.0\.1:\d+\/payload: .*(self-signed|self signed|certificate)/i);
});

test('refuses http, and a redirect to http', async () => {
  expect((await failure('http://127.0.0.1:9/payload', options())).message).toBe('the payload URL must use https, not http (http://127.0.0.1:9/payload)');
  expect((await failure(`${server.url}/to-http`, options())).message).toBe('the payload URL must use https, not http (http://127.0.0.1:9/payload)');
});

test('follows up to maxRedirects redirects, and no more', async () => {
  expect(await fetchPayload(`${server.url}/redirect/3`, options({ maxRedirects: 3 }))).toBe(BODY);
  expect((await failure(`${server.url}/redirect/4`, options({ maxRedirects: 3 }))).message).toBe(`more than 3 redirects fetching ${server.url}/redirect/4`);
  expect((await failure(`${server.url}/missing-location`, options())).message).toMatch(/^HTTP 302 without a Location/);
});

test('an error status is an error naming it', async () => {
  expect((await failure(`${server.url}/forbidden`, options())).message).toBe(`HTTP 403 fetching ${server.url}/forbidden`);
});

test('a payload declared larger than maxBytes is refused before it is read', async () => {
  expect((await failure(`${server.url}/huge-declared`, options({ maxBytes: 5 * 1024 * 1024 }))).message).toBe('the payload is 6291456 bytes; at most 5242880 are read');
});

test('a payload that grows past maxBytes without a Content-Length is cut off', async () => {
  expect((await failure(`${server.url}/huge-streamed`, options({ maxBytes: 1024 * 1024 }))).message).toBe('the payload is over 1048576 bytes; at most 1048576 are read');
});

test('a server that trickles is cut off at timeoutMs in all', async () => {
  expect((await failure(`${server.url}/slow`, options({ timeoutMs: 1000 }))).message).toBe(`timed out after 1000 ms fetching ${server.url}/slow`);
});

test('messages never carry the query string, where the presigned signature is', () => {
  expect(redactUrl('https://b.s3.us-east-1.amazonaws.com/k.json?X-Amz-Signature=abc&X-Amz-Credential=def')).toBe('https://b.s3.us-east-1.amazonaws.com/k.json');
  expect(redactUrl('not a url')).toBe('(not a URL)');
});
