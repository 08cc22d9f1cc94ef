/**
 * Whether a character must never reach a terminal raw from data: C0 controls but tab and
 * newline (ESC starts every escape sequence: `ESC ] 0 ; title BEL` retitles the window,
 * `ESC [ 2 J` clears it, `ESC [ 31 m` recolours it; CR overwrites a line), DEL, the C1 controls
 * (CSI U+009B and OSC U+009D act like `ESC [` and `ESC ]` on some terminals), the Unicode line
 * and paragraph separators, and the bidirectional overrides and isolates, which reorder what is shown.
 */
function isUnsafe(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text fit for a terminal: every unsafe character is shown as its `\uXXXX` escape, so an agent's
 * `ESC [ 2 J` prints as `\u001b[2J`. The escape is JSON's, so JSON output stays valid JSON with
 * the same meaning. Tabs and newlines pass. The one sanitiser of everything the CLI prints.
 */
export function terminalSafe(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (!isUnsafe(code)) continue;
    out += `${text.slice(from, i)}\\u${code.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
