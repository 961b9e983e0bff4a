// Local infrastructure as one unit: PostgreSQL and Kafka, each either external (DATABASE_ADMIN_URL /
// KAFKA_BROKERS set: use it, start nothing) or this checkout's own (started on demand, reused
// when already running).
import { say, UserFacingError } from './log.mjs';
import { withLock } from './lock.mjs';
import { adminUrl } from './provisioning.mjs';
import { checkKafka, localBrokers, localKafkaStatus, startLocalKafka, stopLocalKafka } from './kafka-server.mjs';
import { checkPostgres, localPostgresStatus, postgresPort, startLocalPostgres, stopLocalPostgres } from './postgres-server.mjs';

/** @returns {string[] | null} */
export function externalBrokers() {
  const value = process.env.KAFKA_BROKERS?.trim();
  return value ? value.split(',').map((b) => b.trim()).filter(Boolean) : null;
}

export function externalPostgres() {
  return Boolean(process.env.DATABASE_ADMIN_URL?.trim());
}

/** Brokers in use: external ones or the local broker. */
export function brokers() {
  return externalBrokers() ?? localBrokers();
}

async function postgresUp() {
  if (externalPostgres()) {
    await checkPostgres(adminUrl('postgres')).catch((error) => {
      throw new UserFacingError(`DATABASE_ADMIN_URL is set but that server does not accept the login: ${error.message}`);
    });
    say('postgres', 'external (DATABASE_ADMIN_URL), reachable');
    return { external: true, started: false };
  }
  const started = Date.now();
  const result = await startLocalPostgres();
  say('postgres', `${result.started ? 'started' : 'already running'} (PostgreSQL ${result.version}, pid ${result.pid}, 127.0.0.1:${postgresPort()})${result.started ? ` in ${((Date.now() - started) / 1000).toFixed(1)}s` : ''}`);
  return { external: false, started: result.started };
}

async function kafkaUp() {
  const external = externalBrokers();
  if (external) {
    await checkKafka(external).catch((error) => {
      throw new UserFacingError(`KAFKA_BROKERS=${external.join(',')} does not answer: ${error.message}`);
    });
    say('kafka', `external (KAFKA_BROKERS=${external.join(',')}), reachable`);
    return { external: true, started: false };
  }
  const started = Date.now();
  const result = await startLocalKafka();
  say('kafka', `${result.started ? 'started' : 'already running'} (pid ${result.pid}, ${localBrokers().join(',')})${result.started ? ` in ${((Date.now() - started) / 1000).toFixed(1)}s` : ''}`);
  return { external: false, started: result.started };
}

/**
 * Starts what is not running, checks what is. Both start in parallel.
 * @returns {Promise<{ postgres: { external: boolean, started: boolean, adminUrl: string }, kafka: { external: boolean, started: boolean, brokers: string[] } }>}
 */
export async function infraUp() {
  return withLock('infra', async () => {
    const [postgres, kafka] = await Promise.all([postgresUp(), kafkaUp()]);
    return { postgres: { ...postgres, adminUrl: adminUrl('postgres') }, kafka: { ...kafka, brokers: brokers() } };
  });
}

/**
 * Stops this checkout's own servers (never external ones); `only` limits it to some of them.
 * @param {{ only?: ('postgres' | 'kafka')[] }} [options]
 */
export async function infraDown(options = {}) {
  const wanted = (/** @type {'postgres' | 'kafka'} */ name) => !options.only || options.only.includes(name);
  return withLock('infra', async () => {
    const [kafka, postgres] = await Promise.all([
      !wanted('kafka') ? Promise.resolve('left running') : externalBrokers() ? Promise.resolve('external, left alone') : stopLocalKafka(),
      !wanted('postgres') ? Promise.resolve('left running') : externalPostgres() ? Promise.resolve('external, left alone') : stopLocalPostgres(),
    ]);
    say('kafka', kafka);
    say('postgres', postgres);
    return { kafka, postgres };
  });
}

/** @returns {Promise<{ postgres: { external: boolean, running: boolean, healthy: boolean, detail: string }, kafka: { external: boolean, running: boolean, healthy: boolean, detail: string } }>} */
export async function infraStatus() {
  const postgres = externalPostgres()
    ? await checkPostgres(adminUrl('postgres')).then(
        () => ({ external: true, running: true, healthy: true, detail: 'external (DATABASE_ADMIN_URL)' }),
        (error) => ({ external: true, running: false, healthy: false, detail: `external, unreachable: ${error.message}` }),
      )
    : await localPostgresStatus().then((s) => ({
        external: false,
        running: s.running,
        healthy: s.accepting,
        detail: s.running ? `pid ${s.pid}, 127.0.0.1:${s.port}, ${s.accepting ? 'accepting connections' : 'NOT accepting connections'}` : `stopped (${s.initialised ? 'initialised' : 'not initialised'}, ${s.dataDir})`,
      }));
  const ext = externalBrokers();
  const kafka = ext
    ? await checkKafka(ext).then(
        () => ({ external: true, running: true, healthy: true, detail: `external (${ext.join(',')})` }),
        (error) => ({ external: true, running: false, healthy: false, detail: `external, unreachable: ${error.message}` }),
      )
    : await localKafkaStatus().then((s) => ({
        external: false,
        running: s.running,
        healthy: s.healthy,
        detail: s.running ? `pid ${s.pid}, ${s.brokers.join(',')}, ${s.healthy ? 'healthy' : 'NOT answering'}` : 'stopped',
      }));
  return { postgres, kafka };
}
