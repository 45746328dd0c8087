/**
 * Fetches the object behind a stack or change set hook's `requestData.payload`: an Amazon S3
 * presigned URL ("Create Lambda functions to evaluate resources for Lambda Hooks", CloudFormation
 * Hooks User Guide: "The `payload` property in the request data is a URL that your code needs to
 * fetch"). With Node's own https module, so the hook bundle carries no AWS SDK and no HTTP
 * library.
 *
 * Bounded on every side, because the hook must answer within the 30 seconds Hooks wait and a
 * Lambda's memory is finite: https only (also after a redirect), at most `maxBytes` (checked
 * against Content-Length and again while reading), at most `timeoutMs` in all (redirects
 * included, so a server that trickles one byte a second is cut off), at most `maxRedirects`
 * redirects. Certificates are always verified; a test passes an `agent` that trusts its own CA.
 */
import { request, type Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface FetchOptions {
  /** The largest body accepted, in bytes. */
  maxBytes: number;
  /** The whole fetch, redirects included, in milliseconds. */
  timeoutMs: number;
  maxRedirects: number;
  /** The https agent (a test's agent trusts the test's CA); Node's global agent by default. */
  agent?: Agent;
}

/**
 * 5 MB: a template is at most 1 MB (CloudFormation's limit for a template in S3) and the stack
 * payload holds two (`template` and `previousTemplate`), JSON-escaped; a change set's also lists
 * its changed resources. 10 s leaves the engine most of the hook's 30 seconds.
 */
export const DEFAULT_FETCH: FetchOptions = { maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 3 };

/** Why a payload could not be fetched; the message never carries the URL's signature. */
export class PayloadFetchError extends Error {
  override readonly name = 'PayloadFetchError';
}

/** The URL without its query string, which holds the presigned signature and credentials. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * Reads the body at `url` as UTF-8 text.
 *
 * @throws PayloadFetchError for anything but a 200 answer within the bounds.
 * @example
 * const text = await fetchPayload(event.requestData.payload, DEFAULT_FETCH);
 */
export async function fetchPayload(url: string, options: FetchOptions): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const answer = await getOnce(current, options, deadline);
    if (answer.kind === 'body') return answer.text;
    if (redirects >= options.maxRedirects) throw new PayloadFetchError(`more than ${options.maxRedirects} redirects fetching ${redactUrl(url)}`);
    current = answer.location;
  }
}

type Answer = { kind: 'body'; text: string } | { kind: 'redirect'; location: string };

function getOnce(url: string, options: FetchOptions, deadline: number): Promise<Answer> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new PayloadFetchError('the payload is not a URL'));
  }
  if (target.protocol !== 'https:') return Promise.reject(new PayloadFetchError(`the payload URL must use https, not ${target.protocol.replace(/:$/, '')} (${redactUrl(url)})`));
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new PayloadFetchError(`timed out after ${options.timeoutMs} ms fetching ${redactUrl(url)}`));

  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, answer?: Answer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error instanceof PayloadFetchError ? error : new PayloadFetchError(`could not fetch ${redactUrl(url)}: ${error.message}`));
      } else resolve(answer as Answer);
    };
    const req = request(target, { method: 'GET', agent: options.agent, headers: { 'accept-encoding': 'identity' } }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status)) {
        res.resume();
        const location = res.headers.location;
        if (!location) return finish(new PayloadFetchError(`HTTP ${status} without a Location fetching ${redactUrl(url)}`));
        let next: string;
        try {
          next = new URL(location, target).href;
        } catch {
          return finish(new PayloadFetchError(`HTTP ${status} to an invalid Location fetching ${redactUrl(url)}`));
        }
        return finish(undefined, { kind: 'redirect', location: next });
      }
      if (status !== 200) {
        res.resume();
        return finish(new PayloadFetchError(`HTTP ${status} fetching ${redactUrl(url)}`));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        return finish(new PayloadFetchError(`the payload is ${declared} bytes; at most ${options.maxBytes} are read`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) return finish(new PayloadFetchError(`the payload is over ${options.maxBytes} bytes; at most ${options.maxBytes} are read`));
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, { kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => finish(e));
      res.on('aborted', () => finish(new PayloadFetchError(`the connection closed early fetching ${redactUrl(url)}`)));
    });
    const timer = setTimeout(() => finish(new PayloadFetchError(`timed out after ${options.timeoutMs} ms fetching ${redactUrl(url)}`)), left);
    req.on('error', (e) => finish(e));
    req.end();
  });
}
