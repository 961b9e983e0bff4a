#!/usr/bin/env node
/**
 * Operations command: re-publish a service's dead letters to their original topics.
 *
 *   node shared/platform/dist/messaging/replay-dlq.js <service> [--limit N]
 *
 * Reads KAFKA_BROKERS and KAFKA_TOPIC_PREFIX like the services do.
 */
import { replayDeadLetters } from './dead-letters.js';

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const service = args.shift();
  let limit: number | undefined;
  while (args.length) {
    const flag = args.shift();
    if (flag === '--limit') limit = Number(args.shift());
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!service || (limit !== undefined && (!Number.isInteger(limit) || limit < 1))) {
    process.stderr.write('usage: replay-dlq <service> [--limit N]\n');
    return 2;
  }
  const result = await replayDeadLetters(service, limit === undefined ? {} : { limit });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
