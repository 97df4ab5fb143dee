/**
 * Cleans a raw model suggestion before it is shown. Pure: every rule has its own unit test.
 */
export function postprocess(raw: string, lineSuffix: string): string | undefined {
  let text = raw.replace(/\r\n/g, '\n');
  // Text already right of the cursor must not be suggested twice.
  const rest = lineSuffix.trim();
  if (rest && text.endsWith(rest)) text = text.slice(0, text.length - rest.length);
  // With text right of the cursor only a single line fits.
  if (rest) text = text.split('\n')[0];
  text = text.trimEnd();
  return text.trim() ? text : undefined;
}
