/** Score and money rounding used by every output. */

/** compliant / total rounded to 4 decimals; 1.0 when nothing is in scope. */
export function complianceScore(compliant: number, total: number): number {
  if (total <= 0) return 1;
  return roundTo(compliant / total, 4);
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round((value + Number.EPSILON) * f) / f;
}

/** USD amounts are reported to the cent. */
export function roundMoney(value: number): number {
  return roundTo(value, 2);
}
