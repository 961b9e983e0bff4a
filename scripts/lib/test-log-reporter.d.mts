export function testLogLabel(testPath: string): string;
export default class TestLogReporter {
  onTestResult(test: { path: string }, result: { numFailingTests: number; testExecError?: unknown }): void;
  onRunComplete(): void;
  getLastError(): undefined;
}
