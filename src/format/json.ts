// encoding/json for template values: structs in field order, maps with sorted keys,
// time.Time as RFC 3339. podman's `json` template function uses an Encoder with HTML
// escaping off and trims the trailing newline.
import { GoTime, kindOf, sortedEntries, jsonFields, type GoObject, type GoValue } from './values.js';

/** The value encoding/json would see: methods dropped, keys in Go's order. */
export function toJsonValue(v: GoValue): unknown {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
    case 'func':
      return null;
    case 'time':
      return (v as GoTime).toJSON();
    case 'slice':
      return (v as readonly GoValue[]).map(toJsonValue);
    case 'map':
      return Object.fromEntries(sortedEntries(v as GoObject).map(([k, e]) => [k, toJsonValue(e)]));
    case 'struct':
      return Object.fromEntries(jsonFields(v as GoObject).map(([k, e]) => [k, toJsonValue(e)]));
    default:
      return v;
  }
}

/** Go always escapes U+2028/U+2029 (even without HTML escaping). */
function goEscapes(text: string): string {
  return text.replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

export function goJsonCompact(v: GoValue): string {
  return goEscapes(JSON.stringify(toJsonValue(v)) ?? 'null');
}
