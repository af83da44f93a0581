// Imported before actionhero: actionhero builds its config on import, and src/config/redis.ts reads this.
process.env.REDIS_FAKE = "true";
