/** Links of a keyset-paginated list: to the next page, and back to the first. */
export interface KeysetLinks {
  next?: string;
  first?: string;
}

/**
 * Keyset pages go forwards only (a cursor names the last row shown), so a list offers "Next"
 * and, once past the first page, "First page". Other query parameters (the search) are kept.
 */
export function keysetLinks(
  path: string,
  query: Record<string, string | undefined>,
  nextCursor: string | null,
  cursorParam = 'cursor',
): KeysetLinks {
  const href = (cursor?: string) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key !== cursorParam && value) params.set(key, value);
    }
    if (cursor) params.set(cursorParam, cursor);
    const text = params.toString();
    return text ? `${path}?${text}` : path;
  };
  return {
    ...(nextCursor ? { next: href(nextCursor) } : {}),
    ...(query[cursorParam] ? { first: href() } : {}),
  };
}
