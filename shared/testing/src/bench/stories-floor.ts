// The "floor" of `npm run bench:stories`: the fleet's shape (HTTP front → gRPC → service → pg)
// with nothing else — no framework, no auth, no validation, no logging, no metrics. Two bare
// processes: `story` (a grpc-js server answering storytelling.story.v1.StoryService/GetStory
// with the same primary-key read, protobuf-encoded with the generated contracts) and `front` (a
// bare Node http server calling it through one grpc-js channel and answering the gateway's
// JSON). It measures what the two hops alone cost on this machine: the best any gateway path
// of this architecture could do here, so the gateway's figure can be read against it.
// `node --import register-ts.mjs stories-floor.ts story|front`; environment: DATABASE_URL,
// DATABASE_SCHEMA, POOL_SIZE (story), STORY_ADDRESS (front); prints {"port":N} once listening.
import http from 'node:http';
import { PROTO_SERVICES, type story } from '@storytelling/contracts';
import { grpc, loadGrpcServiceDefinition } from '@storytelling/platform';
import { announcePort, readStory, sendJson, STORY_PATH, storyPool, type StoryJson } from './stories-read.js';

// The fleet's own definition of StoryService (same proto files and loader options, so the same
// protobuf (de)serialisation as the gateway's client and the story service's server).
const STORY_SERVICE = loadGrpcServiceDefinition(PROTO_SERVICES.story);

/** The gateway's view of a proto Story (it does not expose contentHash). */
const toJson = (s: story.Story): StoryJson => ({
  id: s.id,
  title: s.title,
  content: s.content,
  authorId: s.authorId,
  language: s.language,
  status: s.status,
  version: s.version,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

type Done<T> = (err: { code: number; details: string } | null, value?: T) => void;

function startStory(db: ReturnType<typeof storyPool>): InstanceType<typeof grpc.Server> {
  const server = new grpc.Server();
  server.addService(
    STORY_SERVICE,
    {
      GetStory(call: { request: story.GetStoryRequest }, done: Done<story.GetStoryResponse>) {
        readStory(db, call.request.storyId).then(
          (row) => (row ? done(null, { story: row }) : done({ code: grpc.status.NOT_FOUND, details: 'story not found' })),
          () => done({ code: grpc.status.INTERNAL, details: 'read failed' }),
        );
      },
    },
  );
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    announcePort(port);
  });
  return server;
}

function startFront(address: string): http.Server {
  const Client = grpc.makeGenericClientConstructor(STORY_SERVICE, 'StoryService');
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as {
    GetStory(request: story.GetStoryRequest, callback: (err: { code: number } | null, res?: story.GetStoryResponse) => void): void;
  };
  const server = http.createServer((req, res) => {
    const m = req.method === 'GET' ? STORY_PATH.exec(req.url ?? '') : null;
    if (!m) {
      sendJson(res, 404, '{"code":"NOT_FOUND"}');
      return;
    }
    client.GetStory({ storyId: m[1]! }, (err, answer) => {
      const s = answer?.story;
      if (err || !s) {
        sendJson(res, err?.code === grpc.status.NOT_FOUND ? 404 : 500, '{"code":"FAILED"}');
        return;
      }
      sendJson(res, 200, JSON.stringify(toJson(s)), { etag: `"${s.version}"` });
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => announcePort((server.address() as { port: number }).port));
  return server;
}

const role = process.argv[2];
if (role === 'story') {
  const db = storyPool();
  const server = startStory(db);
  process.once('SIGTERM', () => server.tryShutdown(() => void db.pool.end().finally(() => process.exit(0))));
} else if (role === 'front') {
  const server = startFront(process.env.STORY_ADDRESS ?? '');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  throw new Error(`usage: stories-floor.ts story|front (got ${role})`);
}
