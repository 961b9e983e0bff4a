import { capture } from '../../../../scripts/lib/exec.mjs';

// bootstrap's and the Node-runtime install's command runner: a child that exits without reading
// its stdin (`node --version`) once killed the calling script with an unhandled EPIPE.
describe('capture (scripts/lib/exec.mjs)', () => {
  it('judges a child that exits without reading its input by its exit code', async () => {
    const input = 'x'.repeat(8 * 1024 * 1024); // more than a pipe buffer: the write meets a closed pipe
    const results = await Promise.all(
      Array.from({ length: 5 }, () => capture(process.execPath, ['-e', 'process.exit(3)'], { input })),
    );
    expect(results.map((r) => r.code)).toEqual([3, 3, 3, 3, 3]);
  });

  it('passes input to a child that reads it, and gives a child with no input an empty stdin', async () => {
    const echo = await capture(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'hello' });
    expect(echo).toMatchObject({ code: 0, stdout: 'hello' });
    const none = await capture(process.execPath, ['-e', 'let n = 0; process.stdin.on("data", (c) => (n += c.length)).on("end", () => console.log(n))']);
    expect(none).toMatchObject({ code: 0, stdout: '0\n' });
  });
});
