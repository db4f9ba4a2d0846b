import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/core/index.js';
import { MESSAGE_COLOUR } from '../../web/shared/colours.js';
import { messageText } from '../../web/shared/format.js';

const install: Message = { type: 'InstallSnapshot', from: 0, to: 2, term: 2, leaderId: 0, lastIncludedIndex: 7, lastIncludedTerm: 1, data: [] };

describe('InstallSnapshot in the lanes and lists: its own label and colour', () => {
  it('labels InstallSnapshot "IS ≤lastIncludedIndex tTerm" and its reply by what it says', () => {
    expect(messageText(install)).toBe('IS ≤7 t2');
    expect(messageText({ type: 'InstallSnapshotReply', from: 2, to: 0, term: 2, matchIndex: 7 })).toBe('IS ok t2 match 7');
    expect(messageText({ type: 'InstallSnapshotReply', from: 2, to: 0, term: 3, matchIndex: 0 })).toBe('IS stale t3');
  });

  it('gives every message type its own colour, so an InstallSnapshot arrow reads apart from replication and votes', () => {
    const colours = Object.values(MESSAGE_COLOUR);
    expect(new Set(colours).size).toBe(colours.length);
    expect(MESSAGE_COLOUR.InstallSnapshot).not.toBe(MESSAGE_COLOUR.AppendEntries);
  });
});
