import t from 'tap';
import Value from 'typebox/value';
import { coreTools } from '../../src/tools/index.js';

t.test('core tools: stable order, unique names, annotations, examples valid', async (t) => {
  t.same(coreTools.map((x) => x.name), [
    'check_tag_compliance',
    'find_untagged_resources',
    'validate_resource_tags',
    'get_cost_attribution_gap',
    'suggest_tags',
    'get_tagging_policy',
    'list_accounts',
    'compare_accounts',
  ]);
  for (const tool of coreTools) {
    t.equal(tool.annotations.readOnlyHint, true, `${tool.name} read-only`);
    t.equal(tool.annotations.idempotentHint, true, `${tool.name} idempotent`);
    t.equal(tool.annotations.openWorldHint, tool.name !== 'get_tagging_policy', `${tool.name} openWorld`);
    t.ok(tool.description.length > 200, `${tool.name} has a real description`);
    t.ok(tool.examples.length > 0, `${tool.name} has examples`);
    for (const ex of tool.examples) t.ok(Value.Check(tool.inputSchema, ex), `${tool.name} example ${JSON.stringify(ex)}`);
    t.equal((tool.inputSchema as { type?: string }).type, 'object');
    t.equal((tool.outputSchema as { type?: string }).type, 'object');
  }
});
