/** Text for HTML element content or a quoted attribute value: the five characters that can end either, as entities. */
export function htmlText(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
