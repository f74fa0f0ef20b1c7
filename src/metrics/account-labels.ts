/**
 * Bounded label values for account ids: the first `limit` accounts seen keep their id, every
 * later one is "other". The set never grows past `limit`, so a large organization cannot blow up
 * the number of time series.
 */
export const OTHER_ACCOUNT = 'other';

export function accountLabeler(limit: number): (accountId: string) => string {
  const labelled = new Set<string>();
  return (accountId) => {
    if (labelled.has(accountId)) return accountId;
    if (labelled.size >= limit) return OTHER_ACCOUNT;
    labelled.add(accountId);
    return accountId;
  };
}
