/** Number formatting shared by the renderers and recommendations (pure, locale fixed to en-US). */

/** `$4,310` for amounts ≥ 100, `$12.50` below (cents matter only for small amounts). */
export function formatUsd(amount: number): string {
  const digits = Math.abs(amount) >= 100 ? 0 : 2;
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** Score 0.0–1.0 as a percentage with one decimal: `72.5%`. */
export function formatScore(score: number): string {
  return `${(Math.round(score * 1000) / 10).toFixed(1)}%`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
