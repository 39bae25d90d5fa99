/**
 * A y axis's width: room for its longest tick label (about 7 px a character at the axis font)
 * beside the ticks, so no label loses its first digits whatever the values.
 */
export function axisWidth(labels: readonly string[] | null): number {
  const longest = Math.max(3, ...(labels ?? []).map((l) => l.length));
  return Math.ceil(longest * 7) + 16;
}
