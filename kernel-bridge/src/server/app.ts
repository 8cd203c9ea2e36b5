/**
 * The bridge's HTTP and WebSocket server (Fastify): `GET /api/health`,
 * `GET /api/info`, `GET /metrics` (Prometheus), the WebSocket `/api/runs` of the wire protocol,
 * and `/api/class` for the teacher panel (class-route.ts).
 */
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Bridge } from '../bridge';
import { VERSION } from '../paths';
import { BridgeInfoSchema } from '../protocol';
import type { BridgeConfig } from '../config';
import { refuse, refuseHealth } from './access';
import { classRoutes } from './class-route';
import { Connection } from './connection';
import { loggerOptions, redactUrl, type LogSink } from './log-redaction';
import { Metrics, METRICS_CONTENT_TYPE } from './metrics';

/** `/api/info` is sent as the protocol describes it, and only that (Fastify serialises by it). */
const INFO_SCHEMA = z.toJSONSchema(BridgeInfoSchema, { target: 'draft-7' });

export interface BridgeServer {
  app: FastifyInstance;
  bridge: Bridge;
  /** The address it listens on, e.g. http://127.0.0.1:8765 */
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where the log goes instead of stdout (tests read it). */
  logStream?: LogSink;
}

export async function buildApp(
  config: BridgeConfig,
  options: ServerOptions = {},
): Promise<{ app: FastifyInstance; bridge: Bridge }> {
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    // Runs are logged when they end; per-request lines would drown them.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  });
  const bridge = await Bridge.create(config, (msg) => app.log.warn(msg));
  const connections = new Set<Connection>();
  const metrics = new Metrics(bridge);

  await app.register(websocket, { options: { maxPayload: 8 * 1024 * 1024 } });

  app.addHook('onRequest', async (req, reply) => {
    const health = req.url === '/api/health' || req.url.startsWith('/api/health?');
    const why = health ? refuseHealth(config, req.headers) : refuse(config, req.headers, req.url);
    if (why) {
      app.log.info(
        { url: redactUrl(req.url), host: req.headers.host, origin: req.headers.origin },
        `refused: ${why}`,
      );
      await reply.code(403).send({ error: 'forbidden', message: why });
    }
  });

  app.get('/api/health', async () => ({ ok: true, version: VERSION }));
  app.get('/api/info', { schema: { response: { 200: INFO_SCHEMA } } }, async () => bridge.info());
  // Behind the same Origin/token check as the API: Prometheus sends the token as a bearer.
  app.get('/metrics', async (_req, reply) =>
    reply.type(METRICS_CONTENT_TYPE).send(metrics.render()),
  );

  classRoutes(app, bridge);

  app.get('/api/runs', { websocket: true }, (socket) => {
    const conn = new Connection(socket, bridge, app.log);
    connections.add(conn);
    socket.on('close', () => {
      void conn.settled().finally(() => connections.delete(conn));
    });
  });

  app.addHook('onClose', async () => {
    for (const c of connections) c.close();
    await Promise.all([...connections].map((c) => c.settled()));
    await bridge.close();
  });
  return { app, bridge };
}

export async function startServer(
  config: BridgeConfig,
  options: ServerOptions = {},
): Promise<BridgeServer> {
  const { app, bridge } = await buildApp(config, options);
  const url = await app.listen({ host: config.host, port: config.port });
  return { app, bridge, url, close: () => app.close() };
}
