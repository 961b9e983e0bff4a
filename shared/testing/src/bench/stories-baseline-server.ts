// The baseline of `npm run bench:stories`: a bare Node `http` server answering
// GET /api/v1/stories/:id with the same primary-key read the story service does, through `pg`
// with a pool of the same size, connected as the story service's role to the same database. No
// framework, no auth, no gRPC: what the gateway path is compared with.
// Environment: DATABASE_URL, DATABASE_SCHEMA, POOL_SIZE; prints {"port":N} once listening.
import http from 'node:http';
import pg from 'pg';

const schema = process.env.DATABASE_SCHEMA ?? 'story';
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema ${schema}`);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
pool.on('error', () => {});

const SQL = `SELECT id, title, content, author_id, language, status, version, created_at, updated_at FROM "${schema}".stories WHERE id = $1`;
const PATH = /^\/api\/v1\/stories\/([0-9a-f-]{36})$/;

interface Row {
  id: string;
  title: string;
  content: string;
  author_id: string;
  language: string;
  status: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const m = req.method === 'GET' ? PATH.exec(req.url ?? '') : null;
  if (!m) {
    send(res, 404, '{"code":"NOT_FOUND"}');
    return;
  }
  pool.query<Row>(SQL, [m[1]]).then(
    ({ rows }) => {
      const row = rows[0];
      if (!row) {
        send(res, 404, '{"code":"STORY_NOT_FOUND"}');
        return;
      }
      const body = JSON.stringify({
        id: row.id,
        title: row.title,
        content: row.content,
        authorId: row.author_id,
        language: row.language,
        status: row.status,
        version: row.version,
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      });
      send(res, 200, body, { etag: `"${row.version}"` });
    },
    () => send(res, 500, '{"code":"INTERNAL"}'),
  );
});
server.keepAliveTimeout = 65_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});

const stop = (): void => {
  server.close();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
