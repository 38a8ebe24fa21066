import { formatBytes, parseQuantity } from '.';

describe('quantities of bytes', () => {
  it.each([
    ['1Gi', 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['5G', 5e9],
    ['100k', 1e5],
    ['1e3', 1000],
    ['2E', 2e18],
    ['1536', 1536],
    ['500m', 0.5],
    ['.5Ki', 512],
  ])('reads %s as %d', (text, bytes) => {
    expect(parseQuantity(text)).toBe(bytes);
  });

  it.each(['', 'Gi', '1GiB', '1 Gi', '1gi', 'ten'])('refuses %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it.each([
    [2 ** 30, '1Gi'],
    [43520 * 2 ** 20, '43520Mi'],
    [1536, '1536'],
    [2 ** 10, '1Ki'],
    [5e9, '5000000000'],
    [0.5, '1'],
  ])('writes %d bytes as %s, exactly and whole', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
    expect(parseQuantity(formatBytes(bytes))).toBe(Math.ceil(bytes));
  });
});
