/**
 * Collects everything written to stdout and stderr during each test (the handler's log lines),
 * so tests can read them back instead of printing them. The returned array is emptied before
 * every test; `length = 0` empties it in the middle of one.
 *
 * @example
 * const logged = captureOutput();
 * test('logs one line', async () => { await handler(event); expect(logged.join('')).toContain('"level"'); });
 */
export function captureOutput(): string[] {
  const logged: string[] = [];
  beforeEach(() => {
    logged.length = 0;
    const sink = (chunk: unknown): boolean => {
      logged.push(String(chunk));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(sink);
    jest.spyOn(process.stderr, 'write').mockImplementation(sink);
  });
  afterEach(() => jest.restoreAllMocks());
  return logged;
}
