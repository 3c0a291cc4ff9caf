// A small protobuf text-format reader for the config.pbtxt `ecg triton` writes, so tests compare what
// Triton would read (fields, nested messages, lists) instead of matching the text line by line.

export type PbValue = string | number | PbMessage | PbValue[];
export interface PbMessage {
  [field: string]: PbValue;
}

const TOKEN = /\s*(?:#[^\n]*\n?|("(?:[^"\\]|\\.)*")|([{}[\]:,])|([A-Za-z_][\w.]*|[-+]?[\d.]+(?:[eE][-+]?\d+)?))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(start))) break;
      throw new Error(`pbtxt: cannot read "${text.slice(start, start + 20)}"`);
    }
    const token = m[1] ?? m[2] ?? m[3];
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

/** Parses protobuf text format; a field given twice (or with [ ... ]) becomes an array. */
export function parsePbtxt(text: string): PbMessage {
  const tokens = tokenize(text);
  let i = 0;
  const next = () => {
    if (i >= tokens.length) throw new Error('pbtxt: unexpected end');
    return tokens[i++]!;
  };
  const scalar = (t: string): string | number => (t.startsWith('"') ? (JSON.parse(t) as string) : /^[-+]?[\d.]/.test(t) ? Number(t) : t);
  const value = (): PbValue => {
    const t = next();
    if (t === '{') return message('}');
    if (t === '[') {
      const list: PbValue[] = [];
      while (tokens[i] !== ']') {
        list.push(value());
        if (tokens[i] === ',') i++;
      }
      i++;
      return list;
    }
    return scalar(t);
  };
  const message = (end: string | undefined): PbMessage => {
    const out: PbMessage = {};
    while (i < tokens.length && tokens[i] !== end) {
      const field = next();
      if (tokens[i] === ':') i++;
      const v = value();
      const prev = out[field];
      out[field] = prev === undefined ? v : Array.isArray(prev) ? [...prev, ...(Array.isArray(v) ? v : [v])] : [prev, v];
    }
    if (end !== undefined) next();
    return out;
  };
  return message(undefined);
}
