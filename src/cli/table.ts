// SPDX-License-Identifier: MIT
/** A plain text table: right-aligned numbers, left-aligned text, one header row. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(fmt))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (typeof c === 'number' || /^[\d.,-]+$/.test(String(c)) ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  return cells.map(line).join('\n') + '\n';
}

function fmt(v: string | number): string {
  if (typeof v !== 'number') return v;
  if (!Number.isFinite(v)) return String(v);
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(3);
}
