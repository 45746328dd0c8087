/**
 * The KMS reader against real sockets: a peer that accepts and never answers gets the bounded
 * retries, each cut off by its own budget, and the deadline holds over all of them; a peer that
 * streams an endless body is cut off after MAX_RESPONSE_BYTES; the client cache stays bounded.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { cachedClients, MAX_CLIENTS, MAX_RESPONSE_BYTES, readKey } from '../../macro/preflight/kms-client';

jest.setTimeout(30000);

process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = 'secret';
delete process.env.AWS_PROFILE;

interface Peer {
  endpoint: string;
  connections: () => number;
  /** Bytes the peer wrote to all connections. */
  written: () => number;
  close: () => Promise<void>;
}

/** A TCP server with `onConnection` as its behaviour. */
async function peer(onConnection: (socket: Socket, count: (n: number) => void) => void): Promise<Peer> {
  let connections = 0;
  let written = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket, (n) => (written += n));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    written: () => written,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers each request with headers, then body chunks for as long as the client reads. */
function endlessBody(contentLength?: number) {
  return (socket: Socket, count: (n: number) => void): void => {
    socket.once('data', () => {
      const head = `HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n${contentLength !== undefined ? `Content-Length: ${contentLength}` : 'Transfer-Encoding: chunked'}\r\n\r\n`;
      socket.write(head);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      const pump = (): void => {
        while (!socket.destroyed) {
          const framed = contentLength !== undefined ? chunk : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
          count(framed.length);
          if (!socket.write(framed)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  };
}

describe('readKey against a peer that never answers', () => {
  test('makes every bounded attempt, each cut off by its own budget', async () => {
    // Prepare: accepts the connection, reads the request, never answers.
    const silent = await peer(() => undefined);

    // Act
    const read = await readKey('alias/silent', { region: 'eu-west-1', endpoint: silent.endpoint, maxAttempts: 3, attemptTimeoutMs: 300, deadlineMs: 20000 });
    await silent.close();

    // Assess
    expect(silent.connections()).toBe(3);
    expect(read).toEqual({ status: 'unavailable', message: 'AttemptTimeoutError: no answer within 300 ms (attempt 3 of 3)' });
  });

  test('stops at the deadline, however many attempts were allowed', async () => {
    // Prepare
    const silent = await peer(() => undefined);

    // Act
    const read = await readKey('alias/silent', { region: 'eu-west-2', endpoint: silent.endpoint, maxAttempts: 50, attemptTimeoutMs: 250, deadlineMs: 900 });
    await silent.close();

    // Assess: the deadline, not the attempt count, ended it.
    expect(read.status).toBe('unavailable');
    expect((read as { message: string }).message).toMatch(/^DeadlineError: no answer within the 900 ms deadline \(\d attempts?\)$/);
    expect(silent.connections()).toBeLessThan(50);
  });
});

describe('readKey against a peer with a huge body', () => {
  test('cuts off a streamed body past the bound instead of reading it', async () => {
    // Prepare
    const flood = await peer(endlessBody());

    // Act
    const read = await readKey('alias/flood', { region: 'eu-west-1', endpoint: flood.endpoint, deadlineMs: 20000 });
    await flood.close();

    // Assess: refused, not retried, and the peer could not push much past the bound (socket buffers).
    expect(read).toEqual({ status: 'unavailable', message: `ResponseTooLargeError: the response body is larger than ${MAX_RESPONSE_BYTES} bytes; at most ${MAX_RESPONSE_BYTES} are read` });
    expect(flood.connections()).toBe(1);
    expect(flood.written()).toBeLessThan(32 * 1024 * 1024);
  });

  test('refuses a declared Content-Length over the bound before reading the body', async () => {
    // Prepare
    const big = await peer(endlessBody(1024 * 1024 * 1024));

    // Act
    const read = await readKey('alias/big', { region: 'eu-west-1', endpoint: big.endpoint, deadlineMs: 20000 });
    await big.close();

    // Assess
    expect(read).toEqual({ status: 'unavailable', message: `ResponseTooLargeError: the response body is 1073741824 bytes; at most ${MAX_RESPONSE_BYTES} are read` });
  });
});

describe('the client cache', () => {
  test(`keeps at most ${MAX_CLIENTS} clients, dropping the least recently used`, async () => {
    // Prepare: a peer that closes at once, so each read fails fast.
    const closer = await peer((socket) => socket.destroy());
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1', 'sa-east-1'];

    // Act
    for (const region of regions) await readKey('alias/x', { region, endpoint: closer.endpoint, maxAttempts: 1 });
    await readKey('alias/x', { region: 'eu-central-1', endpoint: closer.endpoint, maxAttempts: 1 });
    await closer.close();

    // Assess
    const cached = cachedClients();
    expect(cached).toHaveLength(MAX_CLIENTS);
    expect(cached.map((c) => c.split(' ')[0])).toEqual(['eu-west-1', 'ap-south-1', 'sa-east-1', 'eu-central-1']);
  });
});
