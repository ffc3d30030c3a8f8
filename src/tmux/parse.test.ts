import { describe, expect, it } from 'vitest';
import { literalChunks, parseSessionLine, parseSnapshot } from './parse.ts';

describe('literalChunks', () => {
  const decode = (chunks: string[]) => chunks.map((c) => (c.endsWith('\\;') ? `${c.slice(0, -2)};` : c)).join('');

  it('keeps short text whole', () => {
    expect(literalChunks('hello world')).toEqual(['hello world']);
    expect(literalChunks('')).toEqual([]);
  });

  it('escapes a trailing semicolon, which tmux would read as the end of a command', () => {
    expect(literalChunks('a;')).toEqual(['a\\;']);
    expect(literalChunks(';')).toEqual(['\\;']);
    expect(literalChunks('a;b')).toEqual(['a;b']);
  });

  it('cuts long text into pieces of at most 512 bytes on character boundaries', () => {
    const text = `${'é;'.repeat(400)}${'日本'.repeat(200)}`;
    const chunks = literalChunks(text);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(513);
    expect(decode(chunks)).toBe(text);
  });
});

describe('parsers', () => {
  it('reads a session line', () => {
    expect(parseSessionLine('hq-mayor\t4242\tclaude\t1700000000\t1690000000\t1\t0')).toEqual({
      name: 'hq-mayor',
      panePid: 4242,
      currentCommand: 'claude',
      activity: new Date(1_700_000_000_000),
      created: new Date(1_690_000_000_000),
      attached: true,
      paneDead: false,
    });
  });

  it('splits a snapshot into screen rows and state', () => {
    expect(parseSnapshot('> hi\n\n\n2,0,1,0,80,3\n')).toEqual({
      lines: ['> hi', '', ''],
      cursorX: 2,
      cursorY: 0,
      inMode: true,
      attached: false,
      width: 80,
      height: 3,
      dead: false,
      deadStatus: null,
    });
    expect(parseSnapshot('not logged in\n\n0,1,0,0,80,3,1,3\n')).toMatchObject({
      lines: ['not logged in', ''],
      dead: true,
      deadStatus: 3,
    });
  });
});
