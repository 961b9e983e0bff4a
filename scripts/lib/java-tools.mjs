// Java and Maven: Kafka's broker is a JVM program and Maven fetches it from Maven Central.
import { spawnSync } from 'node:child_process';
import { UserFacingError } from './log.mjs';
import { which } from './exec.mjs';

/** The Java major version on PATH, or a clear error. Kafka 4.x brokers need Java 17+. */
export function requireJava() {
  if (!which('java')) throw new UserFacingError('java is not on PATH; the local Kafka broker needs Java 17 or newer', 'install a JDK 17+ (e.g. apt-get install openjdk-17-jdk-headless) and make sure `java -version` works');
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  let major = match ? Number(match[1]) : NaN;
  if (major === 1 && match) major = Number(match[2]); // "1.8.0" style
  if (!(major >= 17)) throw new UserFacingError(`java on PATH is ${match ? match[0] : 'unknown'}; Kafka 4.x needs Java 17 or newer`, 'install a JDK 17+ and put it first on PATH (or set JAVA_HOME/bin first)');
  return major;
}

export function requireMaven() {
  if (!which('mvn')) throw new UserFacingError('mvn (Apache Maven) is not on PATH; it downloads the Kafka broker from Maven Central', 'install Maven 3.8+ (e.g. apt-get install maven)');
}
