/**
 * A local https server for tests, on the loopback interface only, with a certificate made for the
 * run by openssl (a self-signed CA-less certificate for 127.0.0.1). Code under test trusts it
 * through an `https.Agent` whose `ca` is that certificate, never by turning verification off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestHttpsServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** An agent that trusts this server's certificate (and only what Node trusts besides). */
  agent: Agent;
  /** The certificate, for a second agent or client. */
  cert: string;
  close(): Promise<void>;
}

/** A key and certificate for 127.0.0.1, valid for a day. */
export function makeCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tap-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startHttpsServer(routes: Record<string, Route>): Promise<TestHttpsServer> {
  const { key, cert } = makeCertificate();
  const server: Server = createServer({ key, cert }, (req, res) => {
    const route = routes[new URL(req.url ?? '/', 'https://127.0.0.1').pathname];
    if (route) route(req, res);
    else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ ca: cert, keepAlive: false });
  return {
    url: `https://127.0.0.1:${port}`,
    agent,
    cert,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
