/** The demo app defines no routes of its own: the plugin registers GET /api/cacheTest itself. */
export const DEFAULT = {
  routes: () => ({ get: [] as Array<{ path: string; action: string }> }),
};
