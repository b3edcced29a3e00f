/**
 * The Python code of the interactive examples in a text (a doctest text file, or a docstring), as the `doctest` module
 * finds them: a line whose first non-blank characters are `>>>` followed by a space or the end of the line starts an
 * example, and lines with the same indentation and `...` continue it. Everything else (expected output, prose) becomes
 * an empty line, so a line of the result is the same line of the text and the examples keep their own indentation.
 */
export function doctestSource(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const out: string[] = new Array(lines.length).fill('');
  let indent: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const start = /^([ \t]*)>>>(?: (.*)|$)/.exec(line);
    if (start) {
      indent = start[1];
      out[i] = start[2] ?? '';
      continue;
    }
    if (indent !== undefined && line.startsWith(indent)) {
      const more = /^\.\.\.(?: (.*)|$)/.exec(line.slice(indent.length));
      if (more) {
        out[i] = more[1] ?? '';
        continue;
      }
    }
    indent = undefined;
  }
  return out.join('\n');
}

/** True when a text may hold doctest examples (cheap test before extracting them). */
export function hasDoctestExamples(text: string): boolean {
  return /(^|\n)[ \t]*>>>( |\r?\n|$)/.test(text);
}
