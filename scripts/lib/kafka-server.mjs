// The project's own Apache Kafka: one KRaft node (broker + controller) on 127.0.0.1:59092/59093
// (KAFKA_PORT/KAFKA_CONTROLLER_PORT), data in .data/kafka/data (a test run's own broker: under
// STORYTELLING_INFRA_DIR), started detached with a pid file, health-checked with kafkajs.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError, say } from './log.mjs';
import { captureChecked } from './exec.mjs';
import { canConnect, pollUntil } from './net.mjs';
import { dataPaths, repoRoot } from './paths.mjs';
import { ensureKafkaJars } from './kafka-jars.mjs';
import { livePid, spawnDetached, stopProcess, writePid } from './processes.mjs';

const HOST = '127.0.0.1';
const HEALTH_TOPIC = '__storytelling_health';

export function kafkaPorts() {
  return {
    broker: Number.parseInt(process.env.KAFKA_PORT ?? '59092', 10),
    controller: Number.parseInt(process.env.KAFKA_CONTROLLER_PORT ?? '59093', 10),
  };
}

export function localBrokers() {
  return [`${HOST}:${kafkaPorts().broker}`];
}

function classpath() {
  return `${dataPaths().kafka.libs}/*`;
}

function render() {
  const paths = dataPaths().kafka;
  const { broker, controller } = kafkaPorts();
  const template = readFileSync(join(repoRoot, 'infra', 'kafka', 'server.properties'), 'utf8');
  const properties = template
    .replaceAll('{{DATA_DIR}}', paths.data)
    .replaceAll('{{BROKER_PORT}}', String(broker))
    .replaceAll('{{CONTROLLER_PORT}}', String(controller));
  mkdirSync(join(paths.data, '..'), { recursive: true });
  writeFileSync(paths.properties, properties);
  writeFileSync(paths.log4j, readFileSync(join(repoRoot, 'infra', 'kafka', 'log4j2.xml')));
}

/** Formats the storage directory once (KRaft needs a cluster id and a bootstrap metadata log). */
async function formatOnce() {
  const paths = dataPaths().kafka;
  if (existsSync(join(paths.data, 'meta.properties'))) return;
  const java = (/** @type {string[]} */ args) => captureChecked('java', ['-cp', classpath(), `-Dlog4j2.configurationFile=${paths.log4j}`, 'kafka.tools.StorageTool', ...args]);
  // What StorageTool random-uuid prints (16 random bytes, base64url), without a JVM start of its
  // own; not starting with '-' so the command line does not take it for an option.
  let clusterId = '';
  while (!/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(clusterId)) clusterId = randomBytes(16).toString('base64url');
  say('kafka', `formatting ${paths.data} (cluster ${clusterId})`);
  await java(['format', '-t', clusterId, '-c', paths.properties, '--ignore-formatted']);
}

/** A formatted, never started data folder in dataPaths().kafka.data (test runs copy it; see test-run.mjs). */
export async function formatKafkaData() {
  await ensureKafkaJars();
  render();
  await formatOnce();
}

/** @returns {Promise<typeof import('kafkajs')>} */
async function kafkajs() {
  return import('kafkajs');
}

/**
 * Metadata answers and a topic can be created: the broker serves clients, and the controller
 * (same process) works.
 * @param {string[]} brokers
 */
export async function checkKafka(brokers) {
  const { Kafka, logLevel } = await kafkajs();
  const admin = new Kafka({ clientId: 'storytelling-infra', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    await admin.describeCluster();
    await admin.createTopics({ topics: [{ topic: HEALTH_TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.fetchTopicMetadata({ topics: [HEALTH_TOPIC] });
  } finally {
    await admin.disconnect();
  }
}

function brokerPid() {
  // The pid is ours only if its command line carries our properties file.
  return livePid(dataPaths().kafka.pid, dataPaths().kafka.properties);
}

function logTail(lines = 25) {
  try {
    return readFileSync(dataPaths().kafka.log, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** @returns {Promise<{ running: boolean, pid: number | null, brokers: string[], healthy: boolean }>} */
export async function localKafkaStatus() {
  const pid = brokerPid();
  const healthy = pid !== null && (await checkKafka(localBrokers()).then(() => true, () => false));
  return { running: pid !== null, pid, brokers: localBrokers(), healthy };
}

/** Starts the broker unless it already runs (then only checks it). */
export async function startLocalKafka() {
  const paths = dataPaths().kafka;
  const running = brokerPid();
  if (running !== null) {
    await pollUntil(() => checkKafka(localBrokers()).then(() => true), { timeoutMs: 90_000, what: 'the running Kafka broker to answer' });
    return { started: false, pid: running };
  }
  const { broker, controller } = kafkaPorts();
  for (const port of [broker, controller]) {
    if (await canConnect(HOST, port)) {
      throw new UserFacingError(
        `port ${port} is taken by a process that is not this checkout's Kafka (${paths.data})`,
        'stop that process, set KAFKA_PORT/KAFKA_CONTROLLER_PORT to other ports, or set KAFKA_BROKERS to use that broker',
      );
    }
  }
  await ensureKafkaJars();
  render();
  await formatOnce();
  const heap = process.env.KAFKA_HEAP_OPTS ?? '-Xms128m -Xmx384m';
  const child = await spawnDetached('java', [
    ...heap.split(/\s+/).filter(Boolean),
    '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4j}`,
    '-cp', classpath(),
    'kafka.Kafka', paths.properties,
  ], { logFile: paths.log, cwd: join(paths.data, '..') });
  writePid(paths.pid, child.pid);
  try {
    await pollUntil(() => checkKafka(localBrokers()).then(() => true), {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'Kafka to answer metadata requests and create a topic',
      abort: () => (child.exited() ? `the broker exited with code ${child.exitCode()}` : null),
    });
  } catch (error) {
    throw new UserFacingError(`${error instanceof Error ? error.message : String(error)}\n--- ${paths.log} (tail) ---\n${logTail()}`);
  }
  return { started: true, pid: child.pid };
}

/**
 * Controlled shutdown on SIGTERM; a single KRaft node takes a few seconds. `immediate`: SIGKILL,
 * for a broker whose data is deleted next (a test run's).
 */
export async function stopLocalKafka(options = {}) {
  const pid = brokerPid();
  if (pid === null) return 'not-running';
  const outcome = await stopProcess(pid, { timeoutMs: 60_000, ...(options.immediate ? { signal: /** @type {NodeJS.Signals} */ ('SIGKILL') } : {}) });
  livePid(dataPaths().kafka.pid, dataPaths().kafka.properties); // clears the now-stale pid file
  return outcome;
}
