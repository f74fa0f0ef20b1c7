import t from 'tap';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient, paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import {
  DescribeAccountCommand,
  DescribeEffectivePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListChildrenCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { LEGACY, MGMT, PROD, clientConfig, isolateNetwork, prodCredentials, simulator } from './helpers.js';

isolateNetwork();

t.test('GetResources is region-scoped, filters by type and omits never-tagged resources', async (t) => {
  const sim = await simulator(t, { page_size: { tagging: 4 } });
  const tagging = new ResourceGroupsTaggingAPIClient({ ...clientConfig(sim), credentials: await prodCredentials(sim) });
  t.teardown(() => tagging.destroy());
  const arns: string[] = [];
  let pages = 0;
  for await (const page of paginateGetResources({ client: tagging }, { ResourceTypeFilters: ['ec2:instance'], ResourcesPerPage: 100 })) {
    pages++;
    for (const m of page.ResourceTagMappingList ?? []) if (m.ResourceARN) arns.push(m.ResourceARN);
  }
  // 23 instances in us-east-1; i = 3, 7, 11, 15, 19 never tagged: 5 omitted.
  t.equal(arns.length, 18);
  t.equal(pages, 5);
  t.equal(arns[0], `arn:aws:ec2:us-east-1:${PROD}:instance/i-a000000000000`);
  t.notOk(arns.includes(`arn:aws:ec2:us-east-1:${PROD}:instance/i-a000000000003`));
  const s3 = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'] }));
  t.same(s3.ResourceTagMappingList, []);
  const lambda = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['lambda:function'] }));
  t.same(lambda.ResourceTagMappingList, [
    {
      ResourceARN: `arn:aws:lambda:us-east-1:${PROD}:function:resize-images`,
      Tags: [
        { Key: 'Owner', Value: 'img@example.com' },
        { Key: 'Environment', Value: 'Prod' },
      ],
    },
  ]);
  t.equal(lambda.PaginationToken, '');
  const eu = new ResourceGroupsTaggingAPIClient({ ...clientConfig(sim, 'eu-west-1'), credentials: await prodCredentials(sim) });
  t.teardown(() => eu.destroy());
  const euS3 = await eu.send(new GetResourcesCommand({ ResourceTypeFilters: ['s3'] }));
  t.same(euS3.ResourceTagMappingList?.map((m) => m.ResourceARN), ['arn:aws:s3:::acme-prod-logs']);
  await t.rejects(tagging.send(new GetResourcesCommand({ ResourcesPerPage: 101 })), { name: 'InvalidParameterException' });
});

t.test('Cost Explorer totals equal the fixture sums per account and service', async (t) => {
  const sim = await simulator(t, { page_size: { ce: 2 } });
  const ce = new CostExplorerClient(clientConfig(sim));
  t.teardown(() => ce.destroy());
  const sums = new Map<string, number>();
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await ce.send(
      new GetCostAndUsageCommand({
        TimePeriod: { Start: '2026-01-01', End: '2026-02-01' },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
        GroupBy: [
          { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
          { Type: 'DIMENSION', Key: 'SERVICE' },
        ],
        NextPageToken: token,
      }),
    );
    pages++;
    for (const r of out.ResultsByTime ?? []) {
      for (const g of r.Groups ?? []) sums.set((g.Keys ?? []).join('|'), Number(g.Metrics?.['UnblendedCost']?.Amount));
    }
    token = out.NextPageToken;
  } while (token);
  // prod: 23 + 4 instances cost 10+i each; volume 8; db 300; buckets 12.5 + 3; lambda 4. 31 days / 30.
  const instances = [...Array(23).keys()].reduce((s, i) => s + 10 + i, 0) + [...Array(4).keys()].reduce((s, i) => s + 10 + i, 0);
  const f = 31 / 30;
  t.same([...sums.keys()].sort(), [
    `${PROD}|AWS Lambda`,
    `${PROD}|Amazon Elastic Compute Cloud - Compute`,
    `${PROD}|Amazon Relational Database Service`,
    `${PROD}|Amazon Simple Storage Service`,
    `${PROD}|EC2 - Other`,
  ]);
  t.equal(pages, 3);
  t.equal(sums.get(`${PROD}|Amazon Elastic Compute Cloud - Compute`)?.toFixed(6), (instances * f).toFixed(6));
  t.equal(sums.get(`${PROD}|EC2 - Other`)?.toFixed(6), (8 * f).toFixed(6));
  t.equal(sums.get(`${PROD}|Amazon Relational Database Service`)?.toFixed(6), (300 * f).toFixed(6));
  t.equal(sums.get(`${PROD}|Amazon Simple Storage Service`)?.toFixed(6), (15.5 * f).toFixed(6));
  const daily = await ce.send(
    new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-01-01', End: '2026-01-03' }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] }),
  );
  t.same(
    daily.ResultsByTime?.map((r) => [r.TimePeriod?.Start, r.Total?.['UnblendedCost']?.Amount]),
    [
      ['2026-01-01', ((instances + 8 + 300 + 15.5 + 4) / 30).toFixed(10)],
      ['2026-01-02', ((instances + 8 + 300 + 15.5 + 4) / 30).toFixed(10)],
    ],
  );
  const member = new CostExplorerClient({ ...clientConfig(sim), credentials: await prodCredentials(sim) });
  t.teardown(() => member.destroy());
  await t.rejects(
    member.send(new GetCostAndUsageCommand({ TimePeriod: { Start: '2026-01-01', End: '2026-02-01' }, Granularity: 'MONTHLY', Metrics: ['UnblendedCost'] })),
    { name: 'AccessDeniedException' },
  );
});

t.test('Organizations: accounts paged, tree, tag policies', async (t) => {
  const sim = await simulator(t);
  const org = new OrganizationsClient(clientConfig(sim));
  t.teardown(() => org.destroy());
  const ids: string[] = [];
  let pages = 0;
  for await (const page of paginateListAccounts({ client: org, pageSize: 3 }, {})) {
    pages++;
    for (const a of page.Accounts ?? []) if (a.Id) ids.push(a.Id);
  }
  t.same(ids, sim.fixture.accounts.map((a) => a.id));
  t.equal(pages, 2);
  const desc = await org.send(new DescribeOrganizationCommand({}));
  t.equal(desc.Organization?.MasterAccountId, MGMT);
  const roots = await org.send(new ListRootsCommand({}));
  t.equal(roots.Roots?.[0]?.Id, 'r-root');
  const ous = await org.send(new ListChildrenCommand({ ParentId: 'r-root', ChildType: 'ORGANIZATIONAL_UNIT' }));
  t.same(ous.Children?.map((c) => c.Id), ['ou-root-prod', 'ou-root-legacy']);
  const acct = await org.send(new DescribeAccountCommand({ AccountId: LEGACY }));
  t.equal(acct.Account?.Name, 'legacy');
  t.equal(acct.Account?.Status, 'ACTIVE');
  t.type(acct.Account?.JoinedTimestamp, Date);
  await t.rejects(org.send(new DescribeAccountCommand({ AccountId: '999999999999' })), { name: 'AccountNotFoundException' });
  const pols = await org.send(new ListPoliciesCommand({ Filter: 'TAG_POLICY' }));
  t.same(pols.Policies?.map((p) => p.Id), ['p-tagroot1']);
  const pol = await org.send(new DescribePolicyCommand({ PolicyId: 'p-tagroot1' }));
  t.match(pol.Policy?.Content, /@@assign/);
  const targets = await org.send(new ListTargetsForPolicyCommand({ PolicyId: 'p-tagroot1' }));
  t.same(targets.Targets?.map((x) => [x.TargetId, x.Type]), [['r-root', 'ROOT']]);
  const eff = await org.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY', TargetId: PROD }));
  t.same(JSON.parse(eff.EffectivePolicy?.PolicyContent ?? '{}'), { tags: { owner: { tag_key: 'Owner' } } });
  const member = new OrganizationsClient({ ...clientConfig(sim), credentials: await prodCredentials(sim) });
  t.teardown(() => member.destroy());
  await t.rejects(member.send(new DescribeOrganizationCommand({})), { name: 'AccessDeniedException' });
  const own = await member.send(new DescribeEffectivePolicyCommand({ PolicyType: 'TAG_POLICY' }));
  t.equal(own.EffectivePolicy?.TargetId, PROD);
});
