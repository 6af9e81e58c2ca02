import {
  type DuckDBPreparedStatement,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type JS,
  JSDuckDBValueConverter,
  timestampValue,
} from '@duckdb/node-api';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Binds one query parameter (1-based index) with a DuckDB type chosen from its JS type:
 *
 * - `null` / `undefined` → NULL
 * - `string` → VARCHAR, `boolean` → BOOLEAN
 * - `number`: an integer → INTEGER (int32 range) or BIGINT (int64 range); anything else → DOUBLE.
 *   Binding integers as integers keeps `int_col = $1` exact; DuckDB re-plans the statement with the
 *   bound type, so `int_col = 1.5` compares as DOUBLE and matches nothing rather than rounding.
 * - `bigint` → BIGINT, or HUGEINT outside the int64 range
 * - `Date` → TIMESTAMP holding the Date's UTC wall-clock time (the instant, not local time). Against
 *   a DATE column it compares as a timestamp, so only a Date at UTC midnight equals that day.
 * - `Uint8Array` (including `Buffer`) → BLOB
 * - `@duckdb/node-api` value objects (e.g. `decimalValue(...)`, `dateValue(...)`) → bound as-is
 */
export function bindParameter(
  prepared: DuckDBPreparedStatement,
  index: number,
  value: unknown,
): void {
  if (value === null || value === undefined) {
    prepared.bindNull(index);
    return;
  }
  switch (typeof value) {
    case 'string':
      prepared.bindVarchar(index, value);
      return;
    case 'boolean':
      prepared.bindBoolean(index, value);
      return;
    case 'number':
      bindNumber(prepared, index, value);
      return;
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) {
        prepared.bindBigInt(index, value);
      } else {
        prepared.bindHugeInt(index, value);
      }
      return;
    case 'object':
      bindObject(prepared, index, value);
      return;
    default:
      throw new TypeError(`Unsupported DuckDB query parameter $${index} of type ${typeof value}`);
  }
}

function bindNumber(prepared: DuckDBPreparedStatement, index: number, value: number): void {
  if (!Number.isInteger(value)) {
    prepared.bindDouble(index, value);
  } else if (value >= INT32_MIN && value <= INT32_MAX) {
    prepared.bindInteger(index, value);
  } else if (value >= -(2 ** 63) && value < 2 ** 63) {
    // An integral double is exact as a bigint, so BIGINT columns compare without float rounding.
    prepared.bindBigInt(index, BigInt(value));
  } else {
    prepared.bindDouble(index, value);
  }
}

function bindObject(prepared: DuckDBPreparedStatement, index: number, value: object): void {
  if (value instanceof Date) {
    const millis = value.getTime();
    if (Number.isNaN(millis)) {
      throw new TypeError(`Invalid Date passed as DuckDB query parameter $${index}`);
    }
    prepared.bindTimestamp(index, timestampValue(BigInt(millis) * 1000n));
    return;
  }
  if (value instanceof Uint8Array) {
    prepared.bindBlob(index, value);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) || proto === Object.prototype || proto === null) {
    throw new TypeError(
      `Unsupported DuckDB query parameter $${index}: plain arrays and objects are not bound; ` +
        'pass a @duckdb/node-api value (listValue, structValue, ...) instead',
    );
  }
  prepared.bindValue(index, value as DuckDBValue);
}

/**
 * Result value conversion: `@duckdb/node-api`'s JS conversion, except for the types where it
 * loses information or depends on the process time zone:
 *
 * - DECIMAL → exact string (e.g. `'32.3465'`), never a rounded double
 * - DATE → `'YYYY-MM-DD'` string (a calendar day, not an instant)
 * - TIME → `'HH:MM:SS[.ffffff]'` string
 *
 * Everything else as node-api's JS converter gives it: BIGINT / HUGEINT / UBIGINT → bigint,
 * INTEGER and smaller → number, DOUBLE / FLOAT → number, VARCHAR → string, BOOLEAN → boolean,
 * TIMESTAMP / TIMESTAMPTZ → Date (UTC, millisecond precision), BLOB → Uint8Array,
 * LIST / STRUCT → arrays / objects (converted recursively by these same rules), NULL → null.
 */
export const resultValueConverter: DuckDBValueConverter<JS> = (value, type) => {
  if (value === null) {
    return null;
  }
  switch (type.typeId) {
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIME:
      return String(value);
    default:
      return JSDuckDBValueConverter(value, type, resultValueConverter);
  }
};
