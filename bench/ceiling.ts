/**
 * The ceiling: a bare Fastify 5 app on this machine, run the same way as the service (a child process),
 * whose hook-shaped routes let Fastify parse the same JSON request body and answer. No logger, no plugins,
 * no validation, no work: what HTTP + JSON alone allow.
 *
 *  - POST /cds-services/:id answers a fixed 12-byte `{"cards":[]}` (the old, flattering ceiling);
 *  - POST /ceiling/:key answers the object the service answered for scenario `key` (read at start from the
 *    JSON file CEILING_ANSWERS), serialised per request as Fastify serialises the service's answer: the
 *    same bytes in and the same bytes out, so the difference to the service is our own work.
 *
 *   PORT=3999 CEILING_ANSWERS=answers.json node --import tsx bench/ceiling.ts
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const answers: Record<string, unknown> = process.env.CEILING_ANSWERS
  ? (JSON.parse(readFileSync(process.env.CEILING_ANSWERS, 'utf8')) as Record<string, unknown>)
  : {};

const app = Fastify({ logger: false, bodyLimit: 5 * 1024 * 1024 });
const FIXED = { cards: [] };
app.post('/cds-services/:id', async () => FIXED);
app.post<{ Params: { key: string } }>('/ceiling/:key', async (request, reply) => {
  const answer = answers[request.params.key];
  if (answer === undefined) return reply.code(404).send({ error: 'no answer for this key' });
  return reply.type('application/json').send(answer);
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3999) });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
