// The one escaping helper for Telegram's HTML parse mode: every piece of user or content text goes through it,
// so a "<b>" or "&" typed by a person or written in content is shown as typed and never breaks formatting.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function bold(text: string): string {
  return `<b>${escapeHtml(text)}</b>`;
}
