// "{{var}}" placeholders in flow actions, filled from the session's variables.
export function fillTemplate(value: string, vars: Readonly<Record<string, string>>): string {
  return value.replace(/\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g, (_, name: string) => vars[name] ?? '');
}
