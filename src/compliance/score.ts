/** Score and money rounding used by every output. */

/**
 * compliant / total rounded to 4 decimals; 1.0 when nothing is in scope. Rounding never reaches
 * 1.0 while a resource is non-compliant (0.9999 instead) nor 0 while one is compliant (0.0001),
 * so a perfect or a zero score is always literally true.
 */
export function complianceScore(compliant: number, total: number): number {
  if (total <= 0) return 1;
  const score = roundTo(compliant / total, 4);
  if (score >= 1 && compliant < total) return 0.9999;
  if (score <= 0 && compliant > 0) return 0.0001;
  return score;
}

export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round((value + Number.EPSILON) * f) / f;
}

/** USD amounts are reported to the cent. */
export function roundMoney(value: number): number {
  return roundTo(value, 2);
}
