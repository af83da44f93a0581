import { Action, ParamsFrom, api } from "actionhero";
import { refuseInProduction } from "../plugin/production-guard";

function atLeastThreeCharacters(value: string): true | string {
  return value.length >= 3 ? true : "inputs should be at least 3 letters long";
}

/**
 * Shows save, load and destroy working inside a real action. It replaces actionhero's core `cacheTest`,
 * and says so in its response (`cacheStore`), so a caller can tell which one answered.
 */
export class CacheTestAction extends Action {
  name = "cacheTest";
  description = "Saves, loads and destroys a value through ah-cache-plugin's api.cache";
  inputs = {
    key: { required: true as const, formatter: (value: unknown) => String(value), validator: atLeastThreeCharacters },
    value: { required: true as const, formatter: (value: unknown) => String(value), validator: atLeastThreeCharacters },
  };
  outputExample = {
    cacheStore: "redis",
    cacheTestResults: {
      saveResp: true,
      loadResp: {
        key: "cacheTest_abc",
        value: "def",
        expireTimestamp: 1764000005000,
        createdAt: 1764000000000,
        readAt: null,
      },
      deleteResp: true,
    },
  };

  async run({ params }: { params: ParamsFrom<CacheTestAction> }) {
    refuseInProduction(this.name);
    const key = `cacheTest_${params.key}`;
    const saveResp = await api.cache.save(key, params.value, 5000);
    const { value, expireTimestamp, createdAt, readAt } = await api.cache.load(key);
    const deleteResp = await api.cache.destroy(key);
    return {
      cacheStore: api.cache.kind,
      cacheTestResults: {
        saveResp,
        loadResp: { key, value, expireTimestamp, createdAt, readAt },
        deleteResp,
      },
    };
  }
}
