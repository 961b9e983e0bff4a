import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * Lets `write` produce a temp file beside `output` and renames it into place once complete, so a
 * reader (or an upload to storage) never picks up a half-written file, and a failed tool leaves
 * nothing behind. The temp name starts with "." and has no extension: tools are told the format.
 */
export async function writeAtomically(output: string, write: (temp: string) => Promise<unknown>): Promise<void> {
  const target = resolve(output);
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${randomUUID()}.partial`);
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
