/**
 * The bridge's front door against a hostile web page and a curious log
 * reader, over real sockets.
 *
 * DNS rebinding: a page at http://evil.example:PORT points its own name at
 * 127.0.0.1, so the browser sends `Host: evil.example:PORT` and a matching
 * Origin to the token-less bridge that `make start` runs. Such a bridge must
 * answer only to loopback names; a bridge with a token keeps its rules (behind
 * Jupyter's proxy the Host is the Jupyter server's public name).
 *
 * Tokens: whatever is refused or accepted, at any log level, the token never
 * appears in a log line.
 */
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { makeConfig, type BridgeConfigInput } from '../src/config';
import { startServer, type BridgeServer } from '../src/server/app';
import { TEST_WORK_DIR, wsUrl } from './support/bridge';

const TOKEN = 'secret-token-0123456789-abcdefghij';

interface Answer {
  status: number;
  body: string;
}

/** An HTTP GET with exactly these headers (fetch will not send a foreign Host). */
function get(server: BridgeServer, path: string, headers: Record<string, string>): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/** A WebSocket upgrade with these headers: 101 when it opened, else the HTTP status. */
function upgrade(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

function start(config: BridgeConfigInput, log?: string[]): Promise<BridgeServer> {
  return startServer(
    makeConfig({
      host: '127.0.0.1',
      port: 0,
      workDir: TEST_WORK_DIR,
      logLevel: 'silent',
      uidBase: 64300,
      ...config,
    }),
    log ? { logStream: { write: (line: string) => void log.push(line) } } : {},
  );
}

describe('DNS rebinding: a bridge without a token answers only to loopback names', () => {
  let server: BridgeServer;
  let port: string;
  beforeAll(async () => {
    server = await start({});
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('the rebinding page gets 403 on every HTTP route, with the reason', async () => {
    const evil = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` };
    for (const path of ['/api/info', '/api/health', '/metrics', '/api/runs']) {
      const r = await get(server, path, evil);
      expect([path, r.status]).toEqual([path, 403]);
      expect(JSON.parse(r.body)).toMatchObject({
        error: 'forbidden',
        message: expect.stringMatching(
          /Host header "evil\.example:\d+" does not name this machine.*localhost, 127\.0\.0\.1 or \[::1\].*--token/,
        ),
      });
    }
    // Without an Origin (a script outside a browser, or an old one) too.
    expect((await get(server, '/api/info', { Host: `evil.example:${port}` })).status).toBe(403);
    // Names that look local but resolve through DNS.
    for (const host of ['localhost.evil.example', '127.0.0.1.nip.io', 'localhost.', '127.1']) {
      expect([host, (await get(server, '/api/info', { Host: `${host}:${port}` })).status]).toEqual([
        host,
        403,
      ]);
    }
  });

  test('the rebinding page cannot open the WebSocket', async () => {
    expect(
      await upgrade(wsUrl(server), {
        Host: `evil.example:${port}`,
        Origin: `http://evil.example:${port}`,
      }),
    ).toBe(403);
  });

  test('localhost, 127.0.0.0/8 and [::1] still work, over HTTP and WebSocket', async () => {
    for (const host of ['localhost', '127.0.0.1', '127.0.0.2', '[::1]', 'LocalHost']) {
      const headers = {
        Host: `${host}:${port}`,
        Origin: `http://${host.toLowerCase()}:${port}`,
      };
      expect([host, (await get(server, '/api/info', headers)).status]).toEqual([host, 200]);
      expect([host, (await get(server, '/api/health', { Host: host })).status]).toEqual([
        host,
        200,
      ]);
      expect([host, await upgrade(wsUrl(server), headers)]).toEqual([host, 101]);
    }
  });

  test('a request with no Host header at all is refused', async () => {
    const { port: p } = new URL(server.url);
    const answer = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(p), '127.0.0.1', () =>
        sock.write('GET /api/info HTTP/1.0\r\n\r\n'),
      );
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => resolve(got));
    });
    expect(answer).toMatch(/^HTTP\/1\.[01] 403 /);
    expect(answer).toContain('no Host header');
  });
});

describe('with a token the token rules apply, whatever the Host', () => {
  let server: BridgeServer;
  let port: string;
  beforeAll(async () => {
    server = await start({ token: TOKEN });
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('a public name with the token is served (as behind Jupyter’s proxy); without it, 403', async () => {
    const proxied = {
      Host: `hub.example.edu`,
      Origin: 'https://hub.example.edu',
      Authorization: `token ${TOKEN}`,
    };
    expect((await get(server, '/api/info', proxied)).status).toBe(200);
    expect(await upgrade(wsUrl(server), proxied)).toBe(101);
    const evil = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` };
    const refused = await get(server, '/api/info', evil);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).message).toMatch(/needs a token/);
    expect(await upgrade(wsUrl(server), evil)).toBe(403);
    expect((await get(server, '/api/health', evil)).status).toBe(200);
  });
});

describe('tokens never reach a log line', () => {
  const log: string[] = [];
  let server: BridgeServer;
  let port: string;
  beforeAll(async () => {
    // trace: every line Fastify and the bridge can write, per-request ones too.
    server = await start({ token: TOKEN, logLevel: 'trace' }, log);
    port = new URL(server.url).port;
  });
  afterAll(async () => {
    await server?.close();
  });

  test('refused and accepted requests with the token in the query or a header', async () => {
    const host = { Host: `127.0.0.1:${port}` };
    const foreign = { ...host, Origin: 'https://evil.example' };
    const header = { Authorization: `token ${TOKEN}` };
    const bearer = { Authorization: `Bearer ${TOKEN}` };
    // Refused although the token is right (the case), and refused for a wrong one.
    expect((await get(server, `/api/info?token=${TOKEN}`, foreign)).status).toBe(403);
    expect((await get(server, `/api/info?x=1&token=${TOKEN}&y=2`, foreign)).status).toBe(403);
    expect((await get(server, '/api/info', { ...foreign, ...header })).status).toBe(403);
    expect((await get(server, '/api/info?token=not-the-token-at-all', host)).status).toBe(403);
    expect(
      await upgrade(wsUrl(server, `?token=${TOKEN}`), { Origin: 'https://evil.example' }),
    ).toBe(403);
    // Accepted, and a route that does not exist (Fastify logs its URL).
    expect((await get(server, `/api/info?token=${TOKEN}`, host)).status).toBe(200);
    expect((await get(server, '/metrics', { ...host, ...bearer })).status).toBe(200);
    expect((await get(server, `/no/such/route?token=${TOKEN}`, host)).status).toBe(404);
    expect(await upgrade(wsUrl(server, `?token=${TOKEN}`), {})).toBe(101);
    expect(await upgrade(wsUrl(server), header)).toBe(101);
    // A request Node cannot parse: Fastify logs it with its raw bytes.
    const reply = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(port), '127.0.0.1', () =>
        sock.write(
          `GET /api/info?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token ${TOKEN}\r\nbroken header line\r\n\r\n`,
        ),
      );
      let got = '';
      sock.on('data', (d) => (got += d.toString()));
      sock.on('close', () => resolve(got));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    await server.close();

    const text = log.join('');
    // The log was written, and tells what happened without the secret.
    expect(text).toContain('refused: requests from https://evil.example are not allowed');
    expect(text).toContain('refused: the token is wrong');
    expect(text).toContain('/api/info?x=1&token=[redacted]&y=2');
    expect(text).toMatch(/"url":"\/api\/info\?token=\[redacted\]".*"msg":"incoming request"/);
    expect(text).toContain('/no/such/route?token=[redacted]');
    expect(text).toContain('client error');
    const bytes = [...Buffer.from(TOKEN)].join(',');
    for (const secret of [TOKEN, encodeURIComponent(TOKEN), 'not-the-token-at-all', bytes]) {
      const leaks = log.filter((line) => line.includes(secret));
      expect([secret, leaks]).toEqual([secret, []]);
    }
  });
});
