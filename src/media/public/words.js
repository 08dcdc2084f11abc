/** A translated template with {{name}} placeholders, filled in as text. */
export function fill(template, values) {
  return String(template).replace(/\{\{\s*(\w+)\s*\}\}/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}
