// The Kafka broker's classpath, resolved by Maven from infra/kafka/pom.xml into .data/kafka/libs.
// Node built-ins only (bootstrap runs it before dependencies exist).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserFacingError, say } from './log.mjs';
import { capture } from './exec.mjs';
import { requireJava, requireMaven } from './java-tools.mjs';
import { dataPaths, repoRoot } from './paths.mjs';
import { withLock } from './lock.mjs';

const pomFile = join(repoRoot, 'infra', 'kafka', 'pom.xml');

function pomDigest() {
  return createHash('sha256').update(readFileSync(pomFile)).digest('hex');
}

/** Whether .data/kafka/libs holds the jars of the current pom.xml. */
export function kafkaJarsResolved() {
  const marker = join(dataPaths().kafka.libs, '.resolved');
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomDigest();
}

/** Resolves the jars unless they already match pom.xml (a marker holds the pom's digest). */
export async function ensureKafkaJars() {
  requireJava();
  if (kafkaJarsResolved()) return { resolved: false };
  requireMaven();
  return withLock('kafka-jars', async () => {
    if (kafkaJarsResolved()) return { resolved: false };
    const libs = dataPaths().kafka.libs;
    const staging = `${libs}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(libs), { recursive: true });
    say('kafka', 'resolving Apache Kafka jars from Maven Central (first run only)');
    const started = Date.now();
    const result = await capture('mvn', ['-q', '-B', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`]);
    if (result.code !== 0) {
      const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-20).join('\n');
      throw new UserFacingError(`Maven could not resolve the Kafka jars (exit ${result.code}):\n${output}`, 'check network access to Maven Central (repo.maven.apache.org) or your ~/.m2/settings.xml mirror');
    }
    const jars = readdirSync(staging).filter((f) => f.endsWith('.jar'));
    if (!jars.some((j) => j.startsWith('kafka_2.13-'))) throw new UserFacingError(`Maven finished but ${staging} has no kafka_2.13 jar`);
    writeFileSync(join(staging, '.resolved'), `${pomDigest()}\n`);
    // Swap in whole, so a broker never sees a half-copied classpath.
    rmSync(libs, { recursive: true, force: true });
    renameSync(staging, libs);
    say('kafka', `resolved ${jars.length} jars in ${Math.round((Date.now() - started) / 1000)}s`);
    return { resolved: true };
  });
}
