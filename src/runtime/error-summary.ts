/** Error name and message only: stacks and causes may carry request bodies. */
export function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
