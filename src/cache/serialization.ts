import { CacheError, CacheErrorCodes } from "./errors";

/** Deeper values are refused: JSON.parse/stringify would risk a stack overflow and nobody caches such shapes on purpose. */
export const MAX_VALUE_DEPTH = 256;

/**
 * Turns a value into the JSON text the stores keep, refusing anything that would not come back equal, except
 * object properties whose value is undefined, which are dropped as JSON.stringify drops them.
 * Objects with a toJSON method (Date, for instance) are stored as JSON.stringify stores them.
 */
export function serializeValue(value: unknown, maxValueBytes: number): string {
  if (!isPrimitiveThatRoundTrips(value)) assertRoundTrips(value, { segments: [], ancestors: [] }, 0);
  const json = JSON.stringify(value);
  // Length in UTF-16 units is a lower bound on bytes; only count bytes when it could matter.
  if (json.length * 3 > maxValueBytes && Buffer.byteLength(json, "utf8") > maxValueBytes) {
    throw new CacheError(
      CacheErrorCodes.TOO_LARGE,
      `value is ${Buffer.byteLength(json, "utf8")} bytes of JSON; the limit is ${maxValueBytes} bytes (option maxValueBytes)`,
    );
  }
  return json;
}

export function deserializeValue(json: string): unknown {
  return JSON.parse(json);
}

function isPrimitiveThatRoundTrips(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    default:
      return value === null;
  }
}

/** The toJSON step in a trail. */
const TO_JSON = Symbol("toJSON");

/**
 * Where the walk is, after "value": array indexes, property names and toJSON steps. The path text is only built
 * when a value is refused: building it for every property of every save was most of the walk's cost.
 */
interface Trail {
  segments: Array<number | string | typeof TO_JSON>;
  /**
   * The objects being walked, outermost first: a value found among them is a cycle. An array, not a Set: walks are
   * shallow (MAX_VALUE_DEPTH at most), and push/pop/includes cost less than Set add/delete/has at these sizes.
   */
  ancestors: object[];
}

function pathOf(trail: Trail): string {
  return (
    "value" +
    trail.segments
      .map((segment) =>
        segment === TO_JSON
          ? ".toJSON()"
          : typeof segment === "number"
            ? `[${segment}]`
            : `[${JSON.stringify(segment)}]`,
      )
      .join("")
  );
}

function refuse(trail: Trail, why: string): never {
  throw new CacheError(
    CacheErrorCodes.UNSERIALIZABLE_VALUE,
    `${pathOf(trail)} ${why}, so it would not come back equal from the cache`,
  );
}

/** Checks a child value, with its step on the trail while it is checked. */
function assertChild(value: unknown, segment: number | string | typeof TO_JSON, trail: Trail, depth: number): void {
  if (isPrimitiveThatRoundTrips(value)) return;
  trail.segments.push(segment);
  assertRoundTrips(value, trail, depth);
  trail.segments.pop();
}

function assertRoundTrips(value: unknown, trail: Trail, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) refuse(trail, `is nested deeper than ${MAX_VALUE_DEPTH} levels`);
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) refuse(trail, `is ${value}, which JSON stores as null`);
      return;
    case "undefined":
      return refuse(
        trail,
        "is undefined, which JSON cannot store (at the top level it is no JSON at all, in an array it becomes null)",
      );
    case "function":
      return refuse(trail, "is a function, which JSON cannot store");
    case "symbol":
      return refuse(trail, "is a symbol, which JSON cannot store");
    case "bigint":
      return refuse(trail, "is a BigInt, which JSON cannot store");
  }
  if (value === null) return;
  const object = value as Record<string, unknown>;
  const toJSON = object.toJSON;
  if (typeof toJSON === "function") {
    let converted: unknown;
    try {
      converted = (toJSON as (this: unknown) => unknown).call(object);
    } catch (error) {
      refuse(trail, `has a toJSON method that threw (${(error as Error)?.message ?? error})`);
    }
    trail.segments.push(TO_JSON);
    assertRoundTrips(converted, trail, depth + 1);
    trail.segments.pop();
    return;
  }
  if (trail.ancestors.includes(object)) {
    refuse(trail, "refers back to one of its own ancestors (a circular structure)");
  }
  trail.ancestors.push(object);
  if (Array.isArray(object)) {
    for (let index = 0; index < object.length; index++) {
      if (!(index in object)) {
        trail.segments.push(index);
        refuse(trail, "is a hole in a sparse array, which JSON stores as null");
      }
      assertChild(object[index], index, trail, depth + 1);
    }
  } else {
    const prototype = Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null;
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = prototype.constructor?.name ?? "unknown";
      refuse(trail, `is a ${kind} instance; only plain objects, arrays and JSON primitives are stored`);
    }
    if (
      Object.getOwnPropertySymbols(object).some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))
    ) {
      refuse(trail, "has symbol-keyed properties, which JSON drops");
    }
    for (const property of Object.keys(object)) {
      // An undefined property is dropped, as JSON.stringify, actionhero and every peer store do: option bags and
      // ORM objects carry them, and `{ a: 1, b: undefined }` reading back as `{ a: 1 }` is what callers expect.
      if (object[property] === undefined) continue;
      assertChild(object[property], property, trail, depth + 1);
    }
  }
  trail.ancestors.pop();
}
