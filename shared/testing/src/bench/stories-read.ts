// What the baseline and the floor of `npm run bench:stories` share with each other: the story
// service's primary-key read (same columns, same role and schema, pool of the same size, and,
// like the story service since 2026-12-07, a named statement PostgreSQL plans once per
// connection), the route they answer, and a bare JSON answer.
import type http from 'node:http';
import pg from 'pg';

export const STORY_PATH = /^\/api\/v1\/stories\/([0-9a-f-]{36})$/;

/** The gateway's JSON story, field for field and in its order. */
export interface StoryJson {
  id: string;
  title: string;
  content: string;
  authorId: string;
  language: string;
  status: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

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

/** DATABASE_URL, DATABASE_SCHEMA (story), POOL_SIZE (10). */
export function storyPool(): { pool: pg.Pool; sql: string } {
  const schema = process.env.DATABASE_SCHEMA ?? 'story';
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema ${schema}`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) });
  pool.on('error', () => {});
  const sql = `SELECT id, title, content, author_id, language, status, version, created_at, updated_at FROM "${schema}".stories WHERE id = $1`;
  return { pool, sql };
}

export async function readStory({ pool, sql }: { pool: pg.Pool; sql: string }, id: string): Promise<StoryJson | undefined> {
  const { rows } = await pool.query<Row>({ name: 'bench_story_by_id', text: sql, values: [id] });
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    title: row.title,
    content: row.content,
    authorId: row.author_id,
    language: row.language,
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Prints {"port":N}: what the bench waits for. */
export function announcePort(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
