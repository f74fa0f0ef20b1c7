import t from 'tap';
import fc from 'fast-check';
import { decodeToken, encodeToken, paginate } from '../../src/simulator/paging.js';
import { el, escapeXml } from '../../src/simulator/xml.js';
import { parseSignedScope } from '../../src/simulator/auth.js';

t.test('paginate visits every item exactly once, in order, for any page size', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer(), { maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (items, size) => {
      const seen: number[] = [];
      let offset = 0;
      let pages = 0;
      for (;;) {
        const page = paginate(items, 'scope', offset, size);
        seen.push(...page.items);
        pages++;
        if (page.next === undefined) break;
        const next = decodeToken('scope', page.next);
        if (next === null) throw new Error('undecodable token');
        offset = next;
      }
      return JSON.stringify(seen) === JSON.stringify(items) && pages === Math.max(1, Math.ceil(items.length / size));
    }),
  );
  t.pass('property held');
});

t.test('tokens are bound to their scope and reject garbage', async (t) => {
  const tok = encodeToken('ec2:DescribeInstances:1', 40);
  t.equal(decodeToken('ec2:DescribeInstances:1', tok), 40);
  t.equal(decodeToken('ec2:DescribeVolumes:1', tok), null);
  t.equal(decodeToken('x', 'not-a-token'), null);
  t.equal(decodeToken('x', Buffer.from('{"s":"x","o":-1}').toString('base64url')), null);
});

t.test('XML values are escaped', async (t) => {
  t.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  t.equal(el('Value', 'R&D <team>'), '<Value>R&amp;D &lt;team&gt;</Value>');
  t.equal(el('Value', undefined), '');
  t.equal(el('Value', 0), '<Value>0</Value>');
});

t.test('SigV4 scope parsing from the header and from presigned query', async (t) => {
  t.same(
    parseSignedScope('AWS4-HMAC-SHA256 Credential=AKIAX/20261122/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=ab', new URLSearchParams()),
    { accessKeyId: 'AKIAX', region: 'eu-west-1', service: 'ec2' },
  );
  t.same(parseSignedScope(undefined, new URLSearchParams({ 'X-Amz-Credential': 'ASIAY/20261122/us-east-1/s3/aws4_request' })), {
    accessKeyId: 'ASIAY',
    region: 'us-east-1',
    service: 's3',
  });
  t.equal(parseSignedScope('Bearer abc', new URLSearchParams()), null);
  t.equal(parseSignedScope(undefined, new URLSearchParams()), null);
});
