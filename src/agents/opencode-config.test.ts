import { describe, expect, it } from 'vitest';
import { openCodeConfigContent } from './opencode-config.ts';

describe("OpenCode's inline config with the agent's prime", () => {
  it('names the prime file in instructions, keeping what a user passed inline', () => {
    expect(JSON.parse(openCodeConfigContent('/t/.runtime/agents/s/prime.md'))).toEqual({
      instructions: ['/t/.runtime/agents/s/prime.md'],
    });
    const user = JSON.stringify({
      model: 'anthropic/x',
      instructions: ['CONTRIBUTING.md', '/t/.runtime/agents/s/prime.md'],
    });
    expect(JSON.parse(openCodeConfigContent('/t/.runtime/agents/s/prime.md', user))).toEqual({
      model: 'anthropic/x',
      instructions: ['CONTRIBUTING.md', '/t/.runtime/agents/s/prime.md'],
    });
  });

  it('refuses to replace an inherited value that is not a JSON object, with a hint', () => {
    for (const bad of ['{model:', '[1]', '"x"'])
      expect(() => openCodeConfigContent('/p.md', bad)).toThrow(
        expect.objectContaining({ code: 'GT_AGENT_CONFIG', hint: expect.stringContaining('OPENCODE_CONFIG_CONTENT') }),
      );
  });
});
