/**
 * Who may talk to the bridge: pages from other origins are refused (the
 * Jupyter proxy skips XSRF checks), and a bridge with a token refuses
 * clients without it. Health stays open for probes of liveness.
 */
import WebSocket from 'ws';
import { isLoopbackHost, refuse } from '../src/server/access';
import { BridgeInfoSchema } from '../src/protocol';
import type { BridgeServer } from '../src/server/app';
import { startTestBridge, wsUrl } from './support/bridge';

const TOKEN = 'a-token-of-enough-length-0123456789';

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

describe('access rules', () => {
  test('an Origin other than the bridge host is refused unless allowed', () => {
    const rules = { allowedOrigins: ['http://127.0.0.1:8888'] };
    expect(
      refuse(rules, { host: '127.0.0.1:8765', origin: 'http://127.0.0.1:8765' }, '/api/runs'),
    ).toBeUndefined();
    expect(
      refuse(rules, { host: '127.0.0.1:8765', origin: 'http://127.0.0.1:8888' }, '/api/runs'),
    ).toBeUndefined();
    expect(
      refuse(rules, { host: '127.0.0.1:8765', origin: 'https://evil.example' }, '/api/runs'),
    ).toMatch(/evil\.example are not allowed/);
    expect(refuse(rules, { host: '127.0.0.1:8765', origin: 'null' }, '/api/runs')).toMatch(
      /opaque origin/,
    );
    expect(refuse(rules, { host: '127.0.0.1:8765' }, '/api/runs')).toBeUndefined();
  });

  test('without a token, only a Host that names a loopback address or localhost', () => {
    for (const host of [
      'localhost',
      'localhost:8765',
      'LOCALHOST:8765',
      '127.0.0.1:8765',
      '127.255.0.9',
      '[::1]',
      '[::1]:8765',
      '[0:0:0:0:0:0:0:1]:8765',
    ])
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of [
      'evil.example:8765',
      'localhost.evil.example',
      'foo.localhost',
      'localhost.',
      '127.0.0.1.nip.io',
      '127.1',
      '0x7f.0.0.1',
      '128.0.0.1',
      '0.0.0.0:8765',
      '[::]',
      '[::2]',
      '::1',
      '[::1',
      'localhost:8765:1',
      'localhost:123456',
      '',
    ])
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
    const open = { allowedOrigins: [] };
    expect(refuse(open, { host: 'evil.example:8765' }, '/api/runs')).toMatch(
      /Host header "evil\.example:8765" does not name this machine/,
    );
    expect(refuse(open, {}, '/api/runs')).toMatch(/no Host header/);
    // The check is for token-less bridges: behind Jupyter's proxy the Host is Jupyter's name.
    expect(
      refuse({ allowedOrigins: [], token: TOKEN }, { host: 'hub.example.edu' }, `/?token=${TOKEN}`),
    ).toBeUndefined();
  });

  test('with a token: query or Authorization header, nothing else', () => {
    const rules = { allowedOrigins: [], token: TOKEN };
    expect(refuse(rules, { host: 'h' }, `/api/runs?token=${TOKEN}`)).toBeUndefined();
    expect(
      refuse(rules, { host: 'h', authorization: `token ${TOKEN}` }, '/api/runs'),
    ).toBeUndefined();
    expect(
      refuse(rules, { host: 'h', authorization: `Bearer ${TOKEN}` }, '/api/runs'),
    ).toBeUndefined();
    expect(refuse(rules, { host: 'h' }, '/api/runs')).toMatch(/needs a token/);
    expect(refuse(rules, { host: 'h' }, '/api/runs?token=wrong')).toBe('the token is wrong');
  });
});

describe('the server enforces them', () => {
  let server: BridgeServer;
  beforeAll(async () => {
    server = await startTestBridge({ token: TOKEN, uidBase: 64300 });
  });
  afterAll(async () => {
    await server?.close();
  });

  test('WebSocket upgrades: refused without the token or from a foreign origin', async () => {
    expect(await upgrade(wsUrl(server), {})).toBe(403);
    expect(
      await upgrade(wsUrl(server, `?token=${TOKEN}`), { Origin: 'https://evil.example' }),
    ).toBe(403);
    expect(await upgrade(wsUrl(server, `?token=${TOKEN}`), {})).toBe(101);
  });

  test('HTTP: /api/info needs the token, /api/health does not', async () => {
    const info = await fetch(`${server.url}/api/info`);
    expect(info.status).toBe(403);
    expect(((await info.json()) as { message: string }).message).toMatch(/needs a token/);
    const withToken = await fetch(`${server.url}/api/info`, {
      headers: { authorization: `token ${TOKEN}` },
    });
    // With the token it is the bridge's whole description, as the bridge gives it.
    expect(withToken.status).toBe(200);
    const body: unknown = await withToken.json();
    expect(body).toEqual(JSON.parse(JSON.stringify(server.bridge.info())));
    // ... which is what the protocol says /api/info is (the extension reads it so).
    expect(BridgeInfoSchema.parse(body)).toEqual(body);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
