// The API pages its lists by id (keyset), not by time: to show the newest first the console reads
// every page (up to a bound) and sorts. Alerts and supervision warnings stay in the hundreds.
import type { CombinedError } from '@urql/core';

export interface PageResult<T> {
  nodes: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  error?: CombinedError;
}

export async function allPages<T>(
  page: (after: string | null) => Promise<PageResult<T>>,
  maxPages = 10,
): Promise<{ nodes: T[]; error?: CombinedError }> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const result: PageResult<T> = await page(after);
    if (result.error) return { nodes, error: result.error };
    nodes.push(...result.nodes);
    if (!result.hasNextPage || !result.endCursor) break;
    after = result.endCursor;
  }
  return { nodes };
}
