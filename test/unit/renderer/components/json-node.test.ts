/**
 * The detail pane's JSON tree on a server-sent event nested far deeper than anyone can read (#13):
 * each level is a component, so without a limit rendering overflows the stack.
 */
import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import { MAX_JSON_DEPTH } from '../../../../src-main/shared/json/bounded.js';
import JsonNode from '../../../../src-renderer/components/detail/JsonNode.svelte';

function nested(depth: number): unknown {
  let v: unknown = { leaf: 'bottom' };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('JsonNode', () => {
  it('shows "too deep to show" instead of an expand button once a 10,000-level event is expanded to the limit', () => {
    // The node a user reaches by expanding level after level of the event.
    const { body } = render(JsonNode, {
      props: { value: nested(10_000), path: 'a.a', depth: MAX_JSON_DEPTH, name: 'a', oncopy: () => {} },
    });
    expect(body).toContain('too deep to show');
    expect(body).not.toContain('Expand a');
    expect(body).not.toContain('Copy value');
  });

  it('still shows an ordinary event in full', () => {
    const { body } = render(JsonNode, { props: { value: nested(2), path: '', depth: 0, oncopy: () => {} } });
    expect(body).toContain('bottom');
    expect(body).not.toContain('too deep to show');
  });

  it('counts what a collapsed object or array holds in words that agree with the number', () => {
    // Nodes three levels down start collapsed.
    const value = { ids: { one: { a: 1 }, two: { a: 1, b: 2 }, list: [1], none: [], pair: [1, 2] } };
    const text = render(JsonNode, { props: { value: { x: value }, path: '', depth: 0, oncopy: () => {} } })
      .body.replace(/<!--[^>]*-->/g, '')
      .replace(/<[^>]+>/g, '');
    expect(text).toMatch(/one: \{1 key\}/);
    expect(text).toMatch(/two: \{2 keys\}/);
    expect(text).toMatch(/list: \[1 item\]/);
    expect(text).toMatch(/none: \[0 items\]/);
    expect(text).toMatch(/pair: \[2 items\]/);
  });
});
