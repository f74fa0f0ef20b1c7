/**
 * Service costs per linked account: ONE Cost Explorer GetCostAndUsage query (every page),
 * grouped by LINKED_ACCOUNT and SERVICE, filtered to the accounts asked for. Base credentials.
 */
import { GetCostAndUsageCommand, type CostExplorerClient, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import type { CostQuery, ServiceCostLine } from './gateway.js';
import { drainPages } from './listers/types.js';

/** Sum the groups of every time period into one line per account × service (pure). */
export function sumCostGroups(results: readonly ResultByTime[]): ServiceCostLine[] {
  const totals = new Map<string, ServiceCostLine>();
  for (const period of results) {
    for (const g of period.Groups ?? []) {
      const [account, service] = g.Keys ?? [];
      if (!account || !service) continue;
      const amount = Number(g.Metrics?.['UnblendedCost']?.Amount ?? '0');
      if (!Number.isFinite(amount)) continue;
      const key = `${account}\u0000${service}`;
      const line = totals.get(key) ?? { account_id: account, service, amount: 0 };
      line.amount += amount;
      totals.set(key, line);
    }
  }
  return [...totals.values()]
    .map((l) => ({ ...l, amount: Math.round(l.amount * 1e6) / 1e6 }))
    .sort((a, b) => a.account_id.localeCompare(b.account_id) || a.service.localeCompare(b.service));
}

export async function serviceCosts(ce: CostExplorerClient, query: CostQuery, signal: AbortSignal): Promise<ServiceCostLine[]> {
  if (query.account_ids.length === 0) return [];
  const results: ResultByTime[] = [];
  await drainPages(
    (NextPageToken) =>
      ce.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: query.start, End: query.end },
          Granularity: 'MONTHLY',
          Metrics: ['UnblendedCost'],
          GroupBy: [
            { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
            { Type: 'DIMENSION', Key: 'SERVICE' },
          ],
          Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [...new Set(query.account_ids)] } },
          ...(NextPageToken ? { NextPageToken } : {}),
        }),
        { abortSignal: signal },
      ),
    (p) => p.NextPageToken,
    (p) => { results.push(...(p.ResultsByTime ?? [])); },
    { account_id: 'organization', operation: 'ce:GetCostAndUsage' },
  );
  return sumCostGroups(results);
}
