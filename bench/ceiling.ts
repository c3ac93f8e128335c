/**
 * The ceiling: a bare Fastify 5 app on this machine, run the same way as the service (a child process,
 * `node --import tsx`), whose one hook-shaped route lets Fastify parse the same JSON request body and answers a
 * fixed small JSON. No logger, no plugins, no validation, no work: what HTTP + JSON parsing alone allow.
 *
 *   PORT=3999 node --import tsx bench/ceiling.ts
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
const FIXED = { cards: [] };
app.post('/cds-services/:id', async () => FIXED);
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3999) });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
