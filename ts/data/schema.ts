// The RecSys Challenge 2025 file schema: five event files and
// product_properties, all Parquet, plus relevant_clients.npy.

export const EVENT_TYPES = ['product_buy', 'add_to_cart', 'remove_from_cart', 'page_visit', 'search_query'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Column → DuckDB type, per file, exactly as the challenge ships them. */
export const SCHEMA: Record<EventType | 'product_properties', Record<string, 'BIGINT' | 'VARCHAR'>> = {
  product_buy: { client_id: 'BIGINT', timestamp: 'VARCHAR', sku: 'BIGINT' },
  add_to_cart: { client_id: 'BIGINT', timestamp: 'VARCHAR', sku: 'BIGINT' },
  remove_from_cart: { client_id: 'BIGINT', timestamp: 'VARCHAR', sku: 'BIGINT' },
  page_visit: { client_id: 'BIGINT', timestamp: 'VARCHAR', url: 'BIGINT' },
  search_query: { client_id: 'BIGINT', timestamp: 'VARCHAR', query: 'VARCHAR' },
  product_properties: { sku: 'BIGINT', category: 'BIGINT', price: 'BIGINT', name: 'VARCHAR' },
};

/** The 16 quantized codes of a name or query, as the challenge writes them: "[11 2 3 ...]". */
export function formatCodes(codes: ArrayLike<number>): string {
  return `[${Array.from(codes).join(' ')}]`;
}

/** "YYYY-MM-DD HH:mm:ss" in UTC, the challenge's timestamp strings. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
