import { describe, expect, it } from 'vitest';
import { compareDead, compareIdsDescending, pageFromSpan } from '../../dist/redis/dead-order.js';

const at = (deadAt: number, ...ids: string[]) => ids.map((id) => ({ id, deadAt }));

describe('dead-letter order', () => {
  it('compares integer ids as numbers, highest first, however many digits', () => {
    const ids = ['99', '100', '81', '80', '9', '18446744073709551615', '18446744073709551614'];
    expect([...ids].sort(compareIdsDescending)).toEqual([
      '18446744073709551615',
      '18446744073709551614',
      '100',
      '99',
      '81',
      '80',
      '9',
    ]);
  });

  it('compares chosen ids, and a chosen id with a generated one, as text', () => {
    expect(['order-10', 'order-9', 'b'].sort(compareIdsDescending)).toEqual(['order-9', 'order-10', 'b']);
    expect(['100', 'abc', '99'].sort(compareIdsDescending)).toEqual(['abc', '100', '99']);
    expect(['1~10', '1~9'].sort(compareIdsDescending)).toEqual(['1~9', '1~10']);
  });

  it('puts the newest first, and letters of one millisecond by id', () => {
    const letters = [...at(5, '99', '100', '81'), ...at(7, '3'), ...at(5, '80')];
    expect(letters.sort(compareDead).map((l) => l.id)).toEqual(['3', '100', '99', '81', '80']);
  });

  it('cuts a page out of the letters between its first and last time, after those before them', () => {
    // Ids 80..100 died at t=5; 3 letters died later. Page 2 of 10 starts at the 8th of the tie.
    const span = at(
      5,
      ...Array.from({ length: 21 }, (_, i) => String(80 + i))
        .reverse()
        .sort(),
    );
    const page = pageFromSpan(span, 3, 10, 10);
    expect(page.map((l) => l.id)).toEqual(['93', '92', '91', '90', '89', '88', '87', '86', '85', '84']);
    expect(pageFromSpan(span, 3, 20, 10).map((l) => l.id)).toEqual(['83', '82', '81', '80']);
  });
});
