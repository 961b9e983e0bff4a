// Console output of the scripts: one short line per step, prefixed by what it concerns.

/** An expected failure with a message a person can act on; CLIs print it without a stack. */
export class UserFacingError extends Error {
  /** @param {string} message @param {string} [hint] */
  constructor(message, hint) {
    super(message);
    this.name = 'UserFacingError';
    this.hint = hint;
  }
}

/** @param {string} topic @param {string} message */
export function say(topic, message) {
  process.stdout.write(`${topic.padEnd(10)} ${message}\n`);
}

/** @param {string} topic @param {string} message */
export function warn(topic, message) {
  process.stderr.write(`${topic.padEnd(10)} warning: ${message}\n`);
}

/** Runs a CLI body: prints failures readably and sets the exit code. @param {() => Promise<unknown>} main */
export async function runCli(main) {
  try {
    await main();
  } catch (error) {
    if (error instanceof UserFacingError) {
      process.stderr.write(`\nerror: ${error.message}\n`);
      if (error.hint) process.stderr.write(`hint:  ${error.hint}\n`);
    } else {
      process.stderr.write(`\nerror: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exitCode = 1;
  }
}
