/**
 * Between labloop values (numbers, text, booleans) and OPC UA Variants: a value is converted to the node's or the
 * argument's built-in data type, refusing what does not fit (a fraction for an integer node, 300 for a Byte) rather
 * than letting the stack round or wrap it; values read back become plain JSON-friendly data.
 */
import { DataType, LocalizedText, Variant, type DataValue } from 'node-opcua';
import type { ValueSpec } from '../../src/lab/instrument-driver.port.js';
import type { TemplateValue } from './opcua-template.js';

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
  [DataType.Int64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [DataType.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};

export class ValueConversionError extends Error {}

/** A Variant of `dataType` holding `value`; throws ValueConversionError when it does not fit. */
export function toVariant(value: TemplateValue, dataType: DataType): Variant {
  const range = INTEGER_RANGES[dataType];
  const fail = (what: string): never => {
    throw new ValueConversionError(`${JSON.stringify(value)} is not ${what} (${DataType[dataType]})`);
  };
  if (range) {
    if (typeof value !== 'number' || !Number.isInteger(value)) return fail('an integer');
    if (value < range[0] || value > range[1]) return fail(`within [${range[0]}, ${range[1]}]`);
    return new Variant({ dataType, value });
  }
  switch (dataType) {
    case DataType.Double:
    case DataType.Float:
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('a finite number');
      return new Variant({ dataType, value });
    case DataType.Boolean:
      if (typeof value !== 'boolean') return fail('true or false');
      return new Variant({ dataType, value });
    case DataType.String:
      return new Variant({ dataType, value: String(value) });
    case DataType.LocalizedText:
      return new Variant({ dataType, value: new LocalizedText({ text: String(value) }) });
    case DataType.DateTime: {
      const d = new Date(typeof value === 'boolean' ? NaN : value);
      if (Number.isNaN(d.getTime())) return fail('a time');
      return new Variant({ dataType, value: d });
    }
    default:
      return fail('a supported type');
  }
}

/** A read or monitored value as plain data (undefined when its status is not good). */
export function fromDataValue(dv: DataValue): unknown {
  if (!dv.statusCode.isGoodish()) return undefined;
  return fromVariant(dv.value);
}

export function fromVariant(v: Variant): unknown {
  return plain(v.value);
}

function plain(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'bigint') return Number(x);
  if (x instanceof Date) return x.toISOString();
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.map(plain);
  if (x instanceof LocalizedText) return x.text ?? '';
  const o = x as { name?: unknown; toJSON?: () => unknown; toString?: () => string };
  if (typeof o.toJSON === 'function') return o.toJSON();
  if (typeof o.name === 'string') return o.name;
  return typeof o.toString === 'function' ? o.toString() : null;
}

/** How a built-in type shows in an instrument description (undefined: not one labloop sends). */
export function valueTypeOf(dataType: DataType): ValueSpec['type'] | undefined {
  if (INTEGER_RANGES[dataType]) return 'integer';
  if (dataType === DataType.Double || dataType === DataType.Float) return 'number';
  if (dataType === DataType.Boolean) return 'boolean';
  if (dataType === DataType.String || dataType === DataType.LocalizedText) return 'string';
  return undefined;
}
