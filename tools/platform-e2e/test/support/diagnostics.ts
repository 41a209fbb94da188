/**
 * `it`, with the platform's state and the services' log tails appended to any failure, so a red
 * run in CI says what each process was doing without anyone re-running it.
 */
export function stepWithDiagnostics(diagnostics: () => string | undefined) {
  return (name: string, body: () => Promise<void>, timeoutMs?: number): void => {
    it(
      name,
      async () => {
        try {
          await body();
        } catch (error) {
          const details = diagnostics();
          if (error instanceof Error && details) error.message += `\n${details}`;
          throw error;
        }
      },
      timeoutMs,
    );
  };
}

/** A measured figure, printed where CI logs show it. */
export function report(figure: string): void {
  process.stdout.write(`\n[platform-e2e] ${figure}\n`);
}
