// The baseline of `npm run bench:stories`: a bare Node `http` server answering
// GET /api/v1/stories/:id with the same primary-key read the story service does, through `pg`
// with a pool of the same size, connected as the story service's role to the same database. No
// framework, no auth, no gRPC: what the gateway path is compared with.
// Environment: DATABASE_URL, DATABASE_SCHEMA, POOL_SIZE; prints {"port":N} once listening.
import http from 'node:http';
import { announcePort, readStory, sendJson, STORY_PATH, storyPool } from './stories-read.js';

const db = storyPool();

const server = http.createServer((req, res) => {
  const m = req.method === 'GET' ? STORY_PATH.exec(req.url ?? '') : null;
  if (!m) {
    sendJson(res, 404, '{"code":"NOT_FOUND"}');
    return;
  }
  readStory(db, m[1]!).then(
    (story) => (story ? sendJson(res, 200, JSON.stringify(story), { etag: `"${story.version}"` }) : sendJson(res, 404, '{"code":"STORY_NOT_FOUND"}')),
    () => sendJson(res, 500, '{"code":"INTERNAL"}'),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => announcePort((server.address() as { port: number }).port));

const stop = (): void => {
  server.close();
  void db.pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
