export const MAX_PAGE = 1000;

export interface Page {
  offset?: number;
  limit?: number;
}

/** Offset at least 0, limit clamped to 1..MAX_PAGE (fractions rounded down). */
export function clampPage(page: Page): { offset: number; limit: number } {
  return {
    offset: Math.max(0, Math.floor(page.offset ?? 0) || 0),
    limit: Math.min(MAX_PAGE, Math.max(1, Math.floor(page.limit ?? 50) || 1)),
  };
}
